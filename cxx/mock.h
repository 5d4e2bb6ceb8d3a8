// mock.h -- librdkafka's in-process mock cluster as a Tcl object
// (::kafka::mock create), for tests and demos without a broker.
#pragma once

#include "object.h"

#include <librdkafka/rdkafka_mock.h>
#include <vector>

namespace kafkatcl {

class MockCluster : public Object {
  public:
    static MockCluster *Create(Tcl_Interp *interp, int brokers, std::string *error);
    ~MockCluster() override;
    int Invoke(int objc, Tcl_Obj *const objv[]) override;

    // Whether client rk may talk to a mock cluster: librdkafka's own
    // (test.mock.num.brokers), one whose id it already knows ("mockCluster..."),
    // or one of this process's, by port, whatever the spelling of a
    // bootstrap server (localhost:P, PLAINTEXT://127.0.0.1:P ...) or of a
    // broker given to add_brokers (`addedBrokers`, comma-separated). Admin
    // calls its mock does not implement would hang or abort librdkafka 2.0.2.
    static bool Reaches(rd_kafka_t *rk, const std::string &addedBrokers);

    // The method names, in table order (for the fuzzer).
    static std::vector<const char *> MethodNames();

  private:
    MockCluster(Tcl_Interp *interp, rd_kafka_t *rk, rd_kafka_mock_cluster_t *mcluster);
    friend struct MockMethods;
    int Bootstrap(int objc, Tcl_Obj *const objv[]);
    int CreateTopic(int objc, Tcl_Obj *const objv[]);
    int PushErrors(int objc, Tcl_Obj *const objv[]);
    int ClearErrors(int objc, Tcl_Obj *const objv[]);
    int TopicError(int objc, Tcl_Obj *const objv[]);
    int BrokerDown(int objc, Tcl_Obj *const objv[]);
    int BrokerUp(int objc, Tcl_Obj *const objv[]);
    int Rtt(int objc, Tcl_Obj *const objv[]);
    int Leader(int objc, Tcl_Obj *const objv[]);
    int BrokerResult(rd_kafka_resp_err_t err, Tcl_Obj *const objv[]);

    KafkaPtr rk_; // the cluster lives inside this client instance
    rd_kafka_mock_cluster_t *mcluster_;
};

// ::kafka::mock create name|#auto ?-brokers N?
int MockCmd(ClientData cd, Tcl_Interp *interp, int objc, Tcl_Obj *const objv[]);
// Its subcommand names, in table order (the fuzzer's list).
std::vector<const char *> MockCmdNames();

} // namespace kafkatcl
