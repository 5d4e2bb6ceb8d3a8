// mock.cpp -- the mock cluster object.
#include "mock.h"

namespace kafkatcl {

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
    : Object(interp, nullptr), rk_(rk), mcluster_(mcluster) {}

MockCluster::~MockCluster() {
    // Clients still connected just see their connections drop.
    rd_kafka_mock_cluster_destroy(mcluster_);
}

int MockCluster::Invoke(int objc, Tcl_Obj *const objv[]) {
    static const char *const methods[] = {"bootstrap", "create_topic", "delete", NULL};
    enum { BOOTSTRAP, CREATE_TOPIC, DELETE };
    int m;
    if (GetIndex(interp_, objv[1], methods, "method", &m) != TCL_OK) return TCL_ERROR;
    switch (m) {
    case BOOTSTRAP:
        if (objc != 2) return WrongArgs(interp_, 2, objv, "");
        Tcl_SetObjResult(interp_, Tcl_NewStringObj(rd_kafka_mock_cluster_bootstraps(mcluster_), -1));
        return TCL_OK;
    case CREATE_TOPIC:
        return CreateTopic(objc, objv);
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
    if (partitions < 1) return ArgError(interp_, "partitions must be at least 1");
    rd_kafka_resp_err_t err = rd_kafka_mock_topic_create(mcluster_, Tcl_GetString(objv[2]), partitions, replication);
    if (err) return KafkaError(interp_, err, std::string("cannot create mock topic: ") + rd_kafka_err2str(err));
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
