// handle.h -- a producer or consumer handle (one rd_kafka_t), made by the
// master's create_producer/create_consumer. Topics and queues are its children.
#pragma once

#include "object.h"

namespace kafkatcl {

class Master;

class Handle : public Object {
  public:
    // How long deleting a producer handle (or exiting) waits for outstanding
    // messages to be delivered before destroying it. Documented in kafka.man.
    static constexpr int kCloseFlushMs = 10000;

    // Makes the rd_kafka_t from the master's configuration; nullptr and
    // *error on failure.
    static Handle *Create(Tcl_Interp *interp, Master *master, rd_kafka_type_t type, std::string *error);
    ~Handle() override;

    int Invoke(int objc, Tcl_Obj *const objv[]) override;

    rd_kafka_t *Kafka() const { return rk_.get(); }
    bool IsProducer() const { return type_ == RD_KAFKA_PRODUCER; }
    bool DecodeText() const;

  protected:
    void OnDelete() override;

  private:
    Handle(Tcl_Interp *interp, Master *master, rd_kafka_type_t type, rd_kafka_t *rk);
    static void FlushAtExit(ClientData cd);

    int NewTopic(int objc, Tcl_Obj *const objv[]);
    int CreateQueue(int objc, Tcl_Obj *const objv[]);
    int LogLevel(int objc, Tcl_Obj *const objv[]);
    int AddBrokers(int objc, Tcl_Obj *const objv[]);
    int Info(int objc, Tcl_Obj *const objv[]);
    int Flush(int objc, Tcl_Obj *const objv[]);

    Master *master_;
    rd_kafka_type_t type_;
    KafkaPtr rk_;            // declared first: destroyed after everything below
    TopicConfPtr topicConf_; // per-handle topic configuration for new_topic
    bool exitHandler_ = false;
};

} // namespace kafkatcl
