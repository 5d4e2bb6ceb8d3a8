// master.h -- the kafka "master" object made by `::kafka::kafka create`: it
// holds the client and topic configuration that handles are created from.
#pragma once

#include "callbacks.h"
#include "object.h"

#include <vector>

namespace kafkatcl {

class Master : public Object {
  public:
    explicit Master(Tcl_Interp *interp);
    int Invoke(int objc, Tcl_Obj *const objv[]) override;

    rd_kafka_conf_t *Conf() const { return conf_.get(); }
    rd_kafka_topic_conf_t *TopicConf() const { return topicConf_.get(); }
    // How consumed messages become Tcl values: payloads and keys as UTF-8
    // text or byte arrays, with or without headers (read each time: the
    // methods decode and headers change it for existing handles too).
    MessageFormat Format() const { return MessageFormat{decodeText_, consumeHeaders_}; }
    MasterCallbacks &Callbacks() { return callbacks_; }

    // The method names, in table order (for the fuzzer).
    static std::vector<const char *> MethodNames();

  private:
    friend struct MasterMethods;
    // The methods (one row each in MasterMethods' table, master.cpp).
    int ClientConfigMethod(int objc, Tcl_Obj *const objv[]);
    int TopicConfigMethod(int objc, Tcl_Obj *const objv[]);
    int CreateProducerMethod(int objc, Tcl_Obj *const objv[]);
    int CreateConsumerMethod(int objc, Tcl_Obj *const objv[]);
    int DecodeMethod(int objc, Tcl_Obj *const objv[]);
    int HeadersMethod(int objc, Tcl_Obj *const objv[]);
    int DeliveryReportCallbackMethod(int objc, Tcl_Obj *const objv[]);
    int ErrorCallbackMethod(int objc, Tcl_Obj *const objv[]);
    int SocketCallbackMethod(int objc, Tcl_Obj *const objv[]);
    int StatisticsCallbackMethod(int objc, Tcl_Obj *const objv[]);
    int ThrottleCallbackMethod(int objc, Tcl_Obj *const objv[]);
    int OffsetCommitCallbackMethod(int objc, Tcl_Obj *const objv[]);
    int OauthbearerRefreshCallbackMethod(int objc, Tcl_Obj *const objv[]);
    int LoggerMethod(int objc, Tcl_Obj *const objv[]);
    int DeliveryReportMethod(int objc, Tcl_Obj *const objv[]);
    int PartitionerMethod(int objc, Tcl_Obj *const objv[]);
    int SubscriberMethod(int objc, Tcl_Obj *const objv[]);

    int CreateHandle(rd_kafka_type_t type, Tcl_Obj *nameObj);
    int SetCallback(ObjRef &slot, int objc, Tcl_Obj *const objv[]);
    // Settings librdkafka fixes when a handle is made (statistics interval,
    // partitioner) cannot reach existing handles: changing them while handles
    // exist is a _STATE error saying so, instead of silently applying only to
    // later handles.
    int RefuseWithHandles(const std::string &what, const std::string &advice);
    int CheckConfigChange(int objc, Tcl_Obj *const objv[], bool topic);
    std::string ConfString(const char *key, bool topic) const;

    ConfPtr conf_;
    TopicConfPtr topicConf_;
    bool decodeText_ = false;
    bool consumeHeaders_ = true;
    MasterCallbacks callbacks_;
};

// ::kafka::kafka version|create
int KafkaCmd(ClientData cd, Tcl_Interp *interp, int objc, Tcl_Obj *const objv[]);

// The subcommands of ::kafka::kafka, in table order (for the fuzzer).
std::vector<const char *> KafkaCmdNames();

} // namespace kafkatcl
