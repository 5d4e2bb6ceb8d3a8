// mock.cpp -- the mock cluster object.
#include "mock.h"

#include <cstring>
#include <mutex>
#include <set>
#include <sstream>
#include <vector>

namespace kafkatcl {

// Broker addresses of the live mock clusters (all threads).
static std::mutex mockAddressesMutex;
static std::multiset<std::string> mockAddresses;

static std::vector<std::string> SplitAddresses(const std::string &servers) {
    std::vector<std::string> out;
    std::stringstream in(servers);
    std::string one;
    while (std::getline(in, one, ',')) {
        one.erase(0, one.find_first_not_of(" \t"));
        one.erase(one.find_last_not_of(" \t") + 1);
        if (!one.empty()) out.push_back(one);
    }
    return out;
}

bool MockCluster::ServesOnly(rd_kafka_t *rk) {
    const rd_kafka_conf_t *conf = rd_kafka_conf(rk);
    char value[1024];
    size_t size = sizeof value;
    if (rd_kafka_conf_get(conf, "test.mock.num.brokers", value, &size) == RD_KAFKA_CONF_OK && strcmp(value, "0") &&
        *value)
        return true;
    size = sizeof value;
    if (rd_kafka_conf_get(conf, "bootstrap.servers", value, &size) != RD_KAFKA_CONF_OK) return false;
    std::vector<std::string> servers = SplitAddresses(value);
    std::lock_guard<std::mutex> lock(mockAddressesMutex);
    for (const std::string &s : servers)
        if (!mockAddresses.count(s)) return false;
    return !servers.empty();
}

MockCluster *MockCluster::Create(Tcl_Interp *interp, int brokers, std::string *error) {
    ConfPtr conf(rd_kafka_conf_new());
    char errstr[512];
    // The hosting client never connects anywhere: keep its "no bootstrap
    // servers" notice quiet.
    rd_kafka_conf_set(conf.get(), "log_level", "3", errstr, sizeof errstr);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf.get(), errstr, sizeof errstr);
    if (!rk) {
        *error = errstr;
        return nullptr;
    }
    conf.release();
    rd_kafka_mock_cluster_t *mc = rd_kafka_mock_cluster_new(rk, brokers);
    if (!mc) {
        rd_kafka_destroy(rk);
        *error = "rd_kafka_mock_cluster_new failed";
        return nullptr;
    }
    return new MockCluster(interp, rk, mc);
}

MockCluster::MockCluster(Tcl_Interp *interp, rd_kafka_t *rk, rd_kafka_mock_cluster_t *mcluster)
    : Object(interp, nullptr), rk_(rk), mcluster_(mcluster) {
    std::lock_guard<std::mutex> lock(mockAddressesMutex);
    for (const std::string &s : SplitAddresses(rd_kafka_mock_cluster_bootstraps(mcluster_))) mockAddresses.insert(s);
}

MockCluster::~MockCluster() {
    {
        std::lock_guard<std::mutex> lock(mockAddressesMutex);
        for (const std::string &s : SplitAddresses(rd_kafka_mock_cluster_bootstraps(mcluster_)))
            mockAddresses.erase(mockAddresses.find(s));
    }
    // Clients still connected just see their connections drop.
    rd_kafka_mock_cluster_destroy(mcluster_);
}

int MockCluster::Invoke(int objc, Tcl_Obj *const objv[]) {
    static const char *const methods[] = {"bootstrap", "create_topic", "push_errors", "clear_errors", "topic_error",
                                          "broker_down", "broker_up", "rtt", "leader", "delete", NULL};
    enum { BOOTSTRAP, CREATE_TOPIC, PUSH_ERRORS, CLEAR_ERRORS, TOPIC_ERROR, BROKER_DOWN, BROKER_UP, RTT, LEADER, DELETE };
    int m;
    if (GetIndex(interp_, objv[1], methods, "method", &m) != TCL_OK) return TCL_ERROR;
    switch (m) {
    case BOOTSTRAP:
        if (objc != 2) return WrongArgs(interp_, 2, objv, "");
        Tcl_SetObjResult(interp_, Tcl_NewStringObj(rd_kafka_mock_cluster_bootstraps(mcluster_), -1));
        return TCL_OK;
    case CREATE_TOPIC:
        return CreateTopic(objc, objv);
    case PUSH_ERRORS:
    case CLEAR_ERRORS:
        return PushErrors(objc, objv);
    case TOPIC_ERROR:
    case BROKER_DOWN:
    case BROKER_UP:
    case RTT:
    case LEADER:
        return BrokerMethod(m, objc, objv);
    case DELETE:
        if (objc != 2) return WrongArgs(interp_, 2, objv, "");
        DeleteCommand();
        return TCL_OK;
    }
    return TCL_ERROR;
}

// create_topic topic partitions ?replicationFactor?
int MockCluster::CreateTopic(int objc, Tcl_Obj *const objv[]) {
    if (objc != 4 && objc != 5) return WrongArgs(interp_, 2, objv, "topic partitions ?replicationFactor?");
    int partitions, replication = 1;
    if (GetInt(interp_, objv[3], "partitions", &partitions) != TCL_OK) return TCL_ERROR;
    if (objc == 5 && GetInt(interp_, objv[4], "replication factor", &replication) != TCL_OK) return TCL_ERROR;
    // librdkafka 2.0.2 aborts the process when it cannot allocate them (INT_MAX).
    if (partitions < 1 || partitions > 100000) return ArgError(interp_, "partitions must be between 1 and 100000");
    if (replication < 1) return ArgError(interp_, "replication factor must be at least 1");
    if (!*Tcl_GetString(objv[2])) return ArgError(interp_, "topic name must not be empty");
    rd_kafka_resp_err_t err = rd_kafka_mock_topic_create(mcluster_, Tcl_GetString(objv[2]), partitions, replication);
    if (err) return KafkaError(interp_, err, std::string("cannot create mock topic: ") + rd_kafka_err2str(err));
    return TCL_OK;
}

// Kafka protocol API keys by name (or give the number).
static int GetApiKey(Tcl_Interp *interp, Tcl_Obj *obj, int16_t *out) {
    static const char *const names[] = {"Produce", "Fetch", "ListOffsets", "Metadata", "LeaderAndIsr", "StopReplica",
                                        "UpdateMetadata", "ControlledShutdown", "OffsetCommit", "OffsetFetch",
                                        "FindCoordinator", "JoinGroup", "Heartbeat", "LeaveGroup", "SyncGroup",
                                        "DescribeGroups", "ListGroups", "SaslHandshake", "ApiVersions", "CreateTopics",
                                        "DeleteTopics", "DeleteRecords", "InitProducerId", NULL};
    int n;
    if (Tcl_GetIntFromObj(NULL, obj, &n) == TCL_OK && n >= 0 && n < 1000) {
        *out = (int16_t)n;
        return TCL_OK;
    }
    if (GetIndex(interp, obj, names, "API key", &n) != TCL_OK) return TCL_ERROR;
    *out = (int16_t)n;
    return TCL_OK;
}

// An error by librdkafka name (e.g. NOT_LEADER_FOR_PARTITION, _TRANSPORT) or code.
static int GetErrorCode(Tcl_Interp *interp, Tcl_Obj *obj, rd_kafka_resp_err_t *out) {
    int n;
    if (Tcl_GetIntFromObj(NULL, obj, &n) == TCL_OK) {
        *out = (rd_kafka_resp_err_t)n;
        return TCL_OK;
    }
    const struct rd_kafka_err_desc *descs;
    size_t cnt;
    rd_kafka_get_err_descs(&descs, &cnt);
    for (size_t i = 0; i < cnt; i++) {
        if (descs[i].name && !strcmp(descs[i].name, Tcl_GetString(obj))) {
            *out = descs[i].code;
            return TCL_OK;
        }
    }
    return ArgError(interp, std::string("unknown error name \"") + Tcl_GetString(obj) + "\"");
}

// push_errors apiKey error ?error ...?: the next requests of that kind fail
// with these errors, in order. clear_errors apiKey.
int MockCluster::PushErrors(int objc, Tcl_Obj *const objv[]) {
    bool clear = !strcmp(Tcl_GetString(objv[1]), "clear_errors");
    if (clear ? objc != 3 : objc < 4) return WrongArgs(interp_, 2, objv, clear ? "apiKey" : "apiKey error ?error ...?");
    int16_t apiKey;
    if (GetApiKey(interp_, objv[2], &apiKey) != TCL_OK) return TCL_ERROR;
    if (clear) {
        rd_kafka_mock_clear_request_errors(mcluster_, apiKey);
        return TCL_OK;
    }
    std::vector<rd_kafka_resp_err_t> errors;
    for (int i = 3; i < objc; i++) {
        rd_kafka_resp_err_t e;
        if (GetErrorCode(interp_, objv[i], &e) != TCL_OK) return TCL_ERROR;
        errors.push_back(e);
    }
    rd_kafka_mock_push_request_errors_array(mcluster_, apiKey, errors.size(), errors.data());
    return TCL_OK;
}

// topic_error topic error | broker_down id | broker_up id | rtt id ms | leader topic partition id
int MockCluster::BrokerMethod(int which, int objc, Tcl_Obj *const objv[]) {
    enum { TOPIC_ERROR = 4, BROKER_DOWN, BROKER_UP, RTT, LEADER };
    static const int argc[] = {4, 3, 3, 4, 5};
    static const char *const usage[] = {"topic error", "brokerId", "brokerId", "brokerId milliseconds", "topic partition brokerId"};
    if (objc != argc[which - TOPIC_ERROR]) return WrongArgs(interp_, 2, objv, usage[which - TOPIC_ERROR]);
    rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR_NO_ERROR;
    int id, ms, partition;
    switch (which) {
    case TOPIC_ERROR: {
        rd_kafka_resp_err_t e;
        if (!*Tcl_GetString(objv[2])) return ArgError(interp_, "topic name must not be empty");
        if (GetErrorCode(interp_, objv[3], &e) != TCL_OK) return TCL_ERROR;
        rd_kafka_mock_topic_set_error(mcluster_, Tcl_GetString(objv[2]), e);
        return TCL_OK;
    }
    case BROKER_DOWN:
    case BROKER_UP:
        if (GetInt(interp_, objv[2], "broker id", &id) != TCL_OK) return TCL_ERROR;
        err = which == BROKER_DOWN ? rd_kafka_mock_broker_set_down(mcluster_, id) : rd_kafka_mock_broker_set_up(mcluster_, id);
        break;
    case RTT:
        if (GetInt(interp_, objv[2], "broker id", &id) != TCL_OK || GetInt(interp_, objv[3], "milliseconds", &ms) != TCL_OK)
            return TCL_ERROR;
        if (ms < 0) return ArgError(interp_, "rtt must be >= 0 milliseconds");
        err = rd_kafka_mock_broker_set_rtt(mcluster_, id, ms);
        break;
    case LEADER:
        // A negative partition: librdkafka 2.0.2 accepts it and writes outside the partition array.
        if (GetPartition(interp_, objv[3], false, &partition) != TCL_OK || GetInt(interp_, objv[4], "broker id", &id) != TCL_OK)
            return TCL_ERROR;
        err = rd_kafka_mock_partition_set_leader(mcluster_, Tcl_GetString(objv[2]), partition, id);
        break;
    }
    if (err) return KafkaError(interp_, err, std::string(Tcl_GetString(objv[1])) + " failed: " + rd_kafka_err2str(err));
    return TCL_OK;
}

int MockCmd(ClientData, Tcl_Interp *interp, int objc, Tcl_Obj *const objv[]) {
    static const char *const subcommands[] = {"create", NULL};
    if (objc < 3) return WrongArgs(interp, 1, objv, "create name|#auto ?-brokers N?");
    int sub;
    if (GetIndex(interp, objv[1], subcommands, "subcommand", &sub) != TCL_OK) return TCL_ERROR;
    int brokers = 1;
    if ((objc - 3) % 2 != 0) return WrongArgs(interp, 1, objv, "create name|#auto ?-brokers N?");
    for (int i = 3; i < objc; i += 2) {
        static const char *const options[] = {"-brokers", NULL};
        int o;
        if (GetIndex(interp, objv[i], options, "option", &o) != TCL_OK) return TCL_ERROR;
        if (GetInt(interp, objv[i + 1], "broker count", &brokers) != TCL_OK) return TCL_ERROR;
        if (brokers < 1 || brokers > 32) return ArgError(interp, "broker count must be between 1 and 32");
    }
    std::string error;
    MockCluster *mc = MockCluster::Create(interp, brokers, &error);
    if (!mc) return KafkaError(interp, RD_KAFKA_RESP_ERR__FAIL, "cannot create mock cluster: " + error);
    return Object::Install(interp, mc, objv[2], "kafka_mock");
}

} // namespace kafkatcl
