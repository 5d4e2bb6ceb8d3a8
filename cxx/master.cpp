// master.cpp -- ::kafka::kafka and the master object's methods.
#include "master.h"

#include "config.h"
#include "handle.h"

namespace kafkatcl {

Master::Master(Tcl_Interp *interp)
    : Object(interp, nullptr), conf_(rd_kafka_conf_new()), topicConf_(rd_kafka_topic_conf_new()) {}

int Master::Invoke(int objc, Tcl_Obj *const objv[]) {
    static const char *const methods[] = {"config",          "topic_config",     "create_producer",
                                          "producer_creator", "create_consumer", "consumer_creator",
                                          "decode",          "delete",           NULL};
    enum { CONFIG, TOPIC_CONFIG, CREATE_PRODUCER, PRODUCER_CREATOR, CREATE_CONSUMER, CONSUMER_CREATOR, DECODE, DELETE };
    int m;
    if (GetIndex(interp_, objv[1], methods, "method", &m) != TCL_OK) return TCL_ERROR;
    switch (m) {
    case CONFIG:
        return ConfigMethod(interp_, conf_.get(), objc, objv);
    case TOPIC_CONFIG:
        return TopicConfigMethod(interp_, topicConf_.get(), objc, objv);
    case CREATE_PRODUCER:
    case PRODUCER_CREATOR:
        return CreateHandle(RD_KAFKA_PRODUCER, objc, objv);
    case CREATE_CONSUMER:
    case CONSUMER_CREATOR:
        return CreateHandle(RD_KAFKA_CONSUMER, objc, objv);
    case DECODE:
        return DecodeMethod(objc, objv);
    case DELETE:
        if (objc != 2) return WrongArgs(interp_, 2, objv, "");
        DeleteCommand();
        return TCL_OK;
    }
    return TCL_ERROR;
}

int Master::CreateHandle(rd_kafka_type_t type, int objc, Tcl_Obj *const objv[]) {
    if (objc != 3) return WrongArgs(interp_, 2, objv, "cmdName|#auto");
    std::string error;
    Handle *handle = Handle::Create(interp_, this, type, &error);
    if (!handle) return ArgError(interp_, "cannot create kafka handle: " + error);
    return Object::Install(interp_, handle, objv[2], type == RD_KAFKA_PRODUCER ? "kafka_producer" : "kafka_consumer");
}

int Master::DecodeMethod(int objc, Tcl_Obj *const objv[]) {
    static const char *const modes[] = {"binary", "text", NULL};
    if (objc > 3) return WrongArgs(interp_, 2, objv, "?binary|text?");
    if (objc == 3) {
        int mode;
        if (GetIndex(interp_, objv[2], modes, "decode mode", &mode) != TCL_OK) return TCL_ERROR;
        decodeText_ = (mode == 1);
    }
    Tcl_SetObjResult(interp_, Tcl_NewStringObj(modes[decodeText_ ? 1 : 0], -1));
    return TCL_OK;
}

int KafkaCmd(ClientData, Tcl_Interp *interp, int objc, Tcl_Obj *const objv[]) {
    static const char *const subcommands[] = {"version", "create", NULL};
    if (objc < 2) return WrongArgs(interp, 1, objv, "version|create ?arg ...?");
    int sub;
    if (GetIndex(interp, objv[1], subcommands, "subcommand", &sub) != TCL_OK) return TCL_ERROR;
    if (sub == 0) {
        if (objc != 2) return WrongArgs(interp, 2, objv, "");
        Tcl_SetObjResult(interp, Tcl_NewStringObj(rd_kafka_version_str(), -1));
        return TCL_OK;
    }
    if (objc != 3) return WrongArgs(interp, 2, objv, "cmdName|#auto");
    return Object::Install(interp, new Master(interp), objv[2], "kafka_handle");
}

} // namespace kafkatcl
