// mock.cpp -- the mock cluster object.
#include "mock.h"

#include "config.h"
#include "method.h"
#include "options.h"

#include <arpa/inet.h>
#include <cstdlib>
#include <cstring>
#include <netdb.h>
#include <netinet/in.h>
#include <mutex>
#include <set>
#include <sstream>
#include <vector>

namespace kafkatcl {

// The ports of the live mock clusters' brokers (all threads). A mock
// broker listens on a loopback address; no other socket of this machine can
// listen there on the same port while it lives.
static std::mutex mockPortsMutex;
static std::multiset<int> mockPorts;

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

// A bootstrap server as librdkafka reads it: ?PROTOCOL://?host?:port?, the
// host possibly an [IPv6] literal; the port defaults to 9092.
static bool SplitServer(std::string server, std::string *host, int *port) {
    size_t scheme = server.find("://");
    if (scheme != std::string::npos) server.erase(0, scheme + 3);
    size_t colon = std::string::npos;
    if (!server.empty() && server[0] == '[') {
        size_t close = server.find(']');
        if (close == std::string::npos) return false;
        *host = server.substr(1, close - 1);
        if (close + 1 < server.size() && server[close + 1] == ':') colon = close + 1;
    } else {
        colon = server.rfind(':');
        *host = server.substr(0, colon);
    }
    *port = 9092;
    if (colon != std::string::npos) *port = atoi(server.c_str() + colon + 1);
    return !host->empty() && *port > 0;
}

// Whether `host` names this machine's loopback (or the unspecified address,
// which connect() also takes to the local host).
static bool IsLocalHost(const std::string &host) {
    struct addrinfo hints = {}, *res = nullptr;
    hints.ai_socktype = SOCK_STREAM;
    if (getaddrinfo(host.c_str(), nullptr, &hints, &res) != 0) return false;
    bool local = false;
    for (struct addrinfo *ai = res; ai && !local; ai = ai->ai_next) {
        if (ai->ai_family == AF_INET) {
            uint32_t a = ntohl(((struct sockaddr_in *)ai->ai_addr)->sin_addr.s_addr);
            local = (a >> 24) == 127 || a == INADDR_ANY;
        } else if (ai->ai_family == AF_INET6) {
            const struct in6_addr *a = &((struct sockaddr_in6 *)ai->ai_addr)->sin6_addr;
            local = IN6_IS_ADDR_LOOPBACK(a) || IN6_IS_ADDR_UNSPECIFIED(a) || (IN6_IS_ADDR_V4MAPPED(a) && a->s6_addr[12] == 127);
        }
    }
    freeaddrinfo(res);
    return local;
}

static bool IsMockServer(const std::string &server) {
    std::string host;
    int port;
    if (!SplitServer(server, &host, &port)) return false;
    {
        std::lock_guard<std::mutex> lock(mockPortsMutex);
        if (!mockPorts.count(port)) return false;
    }
    return IsLocalHost(host); // resolved only for a mock's port
}

bool MockCluster::Reaches(rd_kafka_t *rk, const std::string &addedBrokers) {
    const rd_kafka_conf_t *conf = rd_kafka_conf(rk);
    char value[64];
    size_t size = sizeof value;
    if (rd_kafka_conf_get(conf, "test.mock.num.brokers", value, &size) == RD_KAFKA_CONF_OK && strcmp(value, "0") &&
        *value)
        return true;
    // A cluster of another process, once this client knows its id (never waited for).
    if (char *id = rd_kafka_clusterid(rk, 0)) {
        bool mock = !strncmp(id, "mockCluster", 11);
        rd_kafka_mem_free(rk, id);
        if (mock) return true;
    }
    std::string servers = addedBrokers;
    size = 0;
    if (rd_kafka_conf_get(conf, "bootstrap.servers", nullptr, &size) == RD_KAFKA_CONF_OK && size > 1) {
        std::vector<char> buf(size + 1, '\0');
        size = buf.size();
        rd_kafka_conf_get(conf, "bootstrap.servers", buf.data(), &size);
        servers += std::string(",") + buf.data();
    }
    for (const std::string &s : SplitAddresses(servers))
        if (IsMockServer(s)) return true;
    return false;
}

// The ports of a mock cluster's brokers, from its bootstrap list.
static std::vector<int> MockPorts(rd_kafka_mock_cluster_t *mcluster) {
    std::vector<int> ports;
    std::string host;
    int port;
    for (const std::string &s : SplitAddresses(rd_kafka_mock_cluster_bootstraps(mcluster)))
        if (SplitServer(s, &host, &port)) ports.push_back(port);
    return ports;
}

MockCluster *MockCluster::Create(Tcl_Interp *interp, int brokers, std::string *error) {
    ConfPtr conf(NewClientConf()); // telemetry off: its destroy must not wait either
    char errstr[512];
    // The hosting client never connects anywhere: keep its "no bootstrap
    // servers" notice quiet.
    rd_kafka_conf_set(conf.get(), "log_level", "3", errstr, sizeof errstr);
    KeepCryptoAtExit();
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
    std::lock_guard<std::mutex> lock(mockPortsMutex);
    for (int port : MockPorts(mcluster_)) mockPorts.insert(port);
}

MockCluster::~MockCluster() {
    {
        std::lock_guard<std::mutex> lock(mockPortsMutex);
        for (int port : MockPorts(mcluster_)) mockPorts.erase(mockPorts.find(port));
    }
    // Clients still connected just see their connections drop.
    rd_kafka_mock_cluster_destroy(mcluster_);
}

// One row per method (see method.h).
struct MockMethods {
    using M = MockCluster;
    static const MethodTable<M> &Table() {
        static const MethodDef<M> rows[] = {
            {"bootstrap", &M::Bootstrap, 0, 0, "", kAllKinds},
            {"create_topic", &M::CreateTopic, 2, 3, "topic partitions ?replicationFactor?", kAllKinds},
            {"push_errors", &M::PushErrors, 2, kAnyArgs, "apiKey error ?error ...?", kAllKinds},
            {"clear_errors", &M::ClearErrors, 1, 1, "apiKey", kAllKinds},
            {"topic_error", &M::TopicError, 2, 2, "topic error", kAllKinds},
            {"broker_down", &M::BrokerDown, 1, 1, "brokerId", kAllKinds},
            {"broker_up", &M::BrokerUp, 1, 1, "brokerId", kAllKinds},
            {"rtt", &M::Rtt, 2, 2, "brokerId milliseconds", kAllKinds},
            {"leader", &M::Leader, 3, 3, "topic partition brokerId", kAllKinds},
            {"delete", &M::DeleteMethod, 0, 0, "", kAllKinds},
        };
        static const MethodTable<M> table(rows);
        return table;
    }
};

int MockCluster::Invoke(int objc, Tcl_Obj *const objv[]) { return MockMethods::Table().Dispatch(this, kAllKinds, objc, objv); }

std::vector<const char *> MockCluster::MethodNames() { return MockMethods::Table().Names(); }

int MockCluster::Bootstrap(int, Tcl_Obj *const[]) {
    Tcl_SetObjResult(interp_, Tcl_NewStringObj(rd_kafka_mock_cluster_bootstraps(mcluster_), -1));
    return TCL_OK;
}

// create_topic topic partitions ?replicationFactor?
int MockCluster::CreateTopic(int objc, Tcl_Obj *const objv[]) {
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
// with these errors, in order.
int MockCluster::PushErrors(int objc, Tcl_Obj *const objv[]) {
    int16_t apiKey;
    if (GetApiKey(interp_, objv[2], &apiKey) != TCL_OK) return TCL_ERROR;
    std::vector<rd_kafka_resp_err_t> errors;
    for (int i = 3; i < objc; i++) {
        rd_kafka_resp_err_t e;
        if (GetErrorCode(interp_, objv[i], &e) != TCL_OK) return TCL_ERROR;
        errors.push_back(e);
    }
    rd_kafka_mock_push_request_errors_array(mcluster_, apiKey, errors.size(), errors.data());
    return TCL_OK;
}

// clear_errors apiKey
int MockCluster::ClearErrors(int, Tcl_Obj *const objv[]) {
    int16_t apiKey;
    if (GetApiKey(interp_, objv[2], &apiKey) != TCL_OK) return TCL_ERROR;
    rd_kafka_mock_clear_request_errors(mcluster_, apiKey);
    return TCL_OK;
}

// topic_error topic error
int MockCluster::TopicError(int, Tcl_Obj *const objv[]) {
    rd_kafka_resp_err_t e;
    if (!*Tcl_GetString(objv[2])) return ArgError(interp_, "topic name must not be empty");
    if (GetErrorCode(interp_, objv[3], &e) != TCL_OK) return TCL_ERROR;
    rd_kafka_mock_topic_set_error(mcluster_, Tcl_GetString(objv[2]), e);
    return TCL_OK;
}

// broker_down id | broker_up id
int MockCluster::BrokerDown(int, Tcl_Obj *const objv[]) {
    int id;
    if (GetInt(interp_, objv[2], "broker id", &id) != TCL_OK) return TCL_ERROR;
    return BrokerResult(rd_kafka_mock_broker_set_down(mcluster_, id), objv);
}

int MockCluster::BrokerUp(int, Tcl_Obj *const objv[]) {
    int id;
    if (GetInt(interp_, objv[2], "broker id", &id) != TCL_OK) return TCL_ERROR;
    return BrokerResult(rd_kafka_mock_broker_set_up(mcluster_, id), objv);
}

// rtt id ms
int MockCluster::Rtt(int, Tcl_Obj *const objv[]) {
    int id, ms;
    if (GetInt(interp_, objv[2], "broker id", &id) != TCL_OK || GetInt(interp_, objv[3], "milliseconds", &ms) != TCL_OK)
        return TCL_ERROR;
    if (ms < 0) return ArgError(interp_, "rtt must be >= 0 milliseconds");
    return BrokerResult(rd_kafka_mock_broker_set_rtt(mcluster_, id, ms), objv);
}

// leader topic partition id
int MockCluster::Leader(int, Tcl_Obj *const objv[]) {
    int32_t partition;
    int id;
    // A negative partition: librdkafka 2.0.2 accepts it and writes outside the partition array.
    if (GetPartition(interp_, objv[3], false, &partition) != TCL_OK || GetInt(interp_, objv[4], "broker id", &id) != TCL_OK)
        return TCL_ERROR;
    return BrokerResult(rd_kafka_mock_partition_set_leader(mcluster_, Tcl_GetString(objv[2]), partition, id), objv);
}

int MockCluster::BrokerResult(rd_kafka_resp_err_t err, Tcl_Obj *const objv[]) {
    if (err) return KafkaError(interp_, err, std::string(Tcl_GetString(objv[1])) + " failed: " + rd_kafka_err2str(err));
    return TCL_OK;
}

// ::kafka::mock's subcommands (see DispatchPlainCommand, method.h).
struct MockCommand {
    Tcl_Interp *interp;
    Tcl_Interp *Interp() const { return interp; }

    // create name|#auto ?-brokers N?
    int Create(int objc, Tcl_Obj *const objv[]) {
        if ((objc - 3) % 2 != 0) return kWrongArgs;
        struct Words {
            Tcl_Obj *brokers = nullptr;
        };
        static const OptionTable<Words> table({{"-brokers", &Words::brokers}}, Placement::Only, false);
        Words words;
        if (table.Parse(interp, objc, objv, 3, nullptr, &words) != TCL_OK) return TCL_ERROR;
        int brokers = 1;
        if (words.brokers) {
            if (GetInt(interp, words.brokers, "broker count", &brokers) != TCL_OK) return TCL_ERROR;
            if (brokers < 1 || brokers > 32) return ArgError(interp, "broker count must be between 1 and 32");
        }
        std::string error;
        MockCluster *mc = MockCluster::Create(interp, brokers, &error);
        if (!mc) return KafkaError(interp, RD_KAFKA_RESP_ERR__FAIL, "cannot create mock cluster: " + error);
        return Object::Install(interp, mc, objv[2], "kafka_mock");
    }

    static const MethodTable<MockCommand> &Table() {
        static const MethodDef<MockCommand> rows[] = {
            {"create", &MockCommand::Create, 1, kAnyArgs, "name|#auto ?-brokers N?", kAllKinds},
        };
        static const MethodTable<MockCommand> table(rows, {kAllKinds}, "subcommand");
        return table;
    }
};

int MockCmd(ClientData, Tcl_Interp *interp, int objc, Tcl_Obj *const objv[]) {
    return DispatchPlainCommand<MockCommand>(interp, objc, objv);
}

std::vector<const char *> MockCmdNames() { return MockCommand::Table().Names(); }

} // namespace kafkatcl
