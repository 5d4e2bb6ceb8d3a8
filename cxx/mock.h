// mock.h -- librdkafka's in-process mock cluster as a Tcl object
// (::kafka::mock create), for tests and demos without a broker.
#pragma once

#include "object.h"

#include <librdkafka/rdkafka_mock.h>

namespace kafkatcl {

class MockCluster : public Object {
  public:
    static MockCluster *Create(Tcl_Interp *interp, int brokers, std::string *error);
    ~MockCluster() override;
    int Invoke(int objc, Tcl_Obj *const objv[]) override;

    // Whether the client rk bootstraps only from mock clusters of this
    // process (or librdkafka's own, test.mock.num.brokers): admin calls its
    // mock does not implement would hang or abort librdkafka 2.0.2.
    static bool ServesOnly(rd_kafka_t *rk);

  private:
    MockCluster(Tcl_Interp *interp, rd_kafka_t *rk, rd_kafka_mock_cluster_t *mcluster);
    int CreateTopic(int objc, Tcl_Obj *const objv[]);
    int PushErrors(int objc, Tcl_Obj *const objv[]);
    int BrokerMethod(int which, int objc, Tcl_Obj *const objv[]);

    KafkaPtr rk_; // the cluster lives inside this client instance
    rd_kafka_mock_cluster_t *mcluster_;
};

// ::kafka::mock create name|#auto ?-brokers N?
int MockCmd(ClientData cd, Tcl_Interp *interp, int objc, Tcl_Obj *const objv[]);

} // namespace kafkatcl
