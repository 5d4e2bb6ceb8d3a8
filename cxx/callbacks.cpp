// callbacks.cpp -- invoking Tcl callbacks safely.
#include "callbacks.h"

#include <vector>

namespace kafkatcl {

int InvokeCallback(Tcl_Interp *interp, Tcl_Obj *cmd, Tcl_Obj *arg, const char *context) {
    return InvokeCallback(interp, cmd, 1, &arg, context);
}

int InvokeCallback(Tcl_Interp *interp, Tcl_Obj *cmd, int argc, Tcl_Obj *const argv[], const char *context) {
    // Evaluate the words of the command prefix plus the arguments directly:
    // no list copy per call (delivery reports can be a million calls).
    for (int i = 0; i < argc; i++) Tcl_IncrRefCount(argv[i]);
    ObjRef keepCmd(cmd); // the callback may replace itself while running
    Tcl_Size n;
    Tcl_Obj **words;
    int code = Tcl_ListObjGetElements(interp, cmd, &n, &words);
    if (code == TCL_OK) {
        Tcl_Obj *stackWords[8];
        std::vector<Tcl_Obj *> heapWords;
        Tcl_Obj **objv = stackWords;
        if (n + argc > 8) {
            heapWords.resize((size_t)(n + argc));
            objv = heapWords.data();
        }
        // Own the words: the callback could shimmer the command's list rep away.
        for (Tcl_Size i = 0; i < n; i++) Tcl_IncrRefCount(objv[i] = words[i]);
        for (int i = 0; i < argc; i++) objv[n + i] = argv[i];
        code = Tcl_EvalObjv(interp, n + argc, objv, TCL_EVAL_GLOBAL);
        for (Tcl_Size i = 0; i < n; i++) Tcl_DecrRefCount(objv[i]);
    }
    if (code == TCL_ERROR) {
        Tcl_AddErrorInfo(interp, "\n    (");
        Tcl_AddErrorInfo(interp, context);
        Tcl_AddErrorInfo(interp, ")");
        Tcl_BackgroundException(interp, code);
    } else if (code != TCL_OK && code != TCL_BREAK && code != TCL_CONTINUE && code != TCL_RETURN) {
        Tcl_BackgroundException(interp, code);
    }
    Tcl_ResetResult(interp);
    for (int i = 0; i < argc; i++) Tcl_DecrRefCount(argv[i]);
    return code;
}

ObjRef CallbackArg(Tcl_Obj *obj) {
    Tcl_Size len;
    Tcl_GetStringFromObj(obj, &len);
    return len ? ObjRef(obj) : ObjRef();
}

int LoggerSetting::Set(Tcl_Interp *interp, int objc, Tcl_Obj *const objv[], bool *followMaster) {
    // "none" (drop every log line) is the original KafkaTcl's; "master" only a handle's.
    static const char *const modes[] = {"stderr", "syslog", "callback", "none", NULL};
    static const char *const handleModes[] = {"stderr", "syslog", "callback", "none", "master", NULL};
    static const LogMode modeOf[] = {LogMode::Stderr, LogMode::Syslog, LogMode::Callback, LogMode::None};
    enum { CALLBACK = 2, MASTER = 4 };
    const char *usage = followMaster ? "stderr|syslog|callback ?command?|none|master" : "stderr|syslog|callback ?command?|none";
    if (objc < 3) return WrongArgs(interp, 2, objv, usage);
    int m;
    if (GetIndex(interp, objv[2], followMaster ? handleModes : modes, "logger", &m) != TCL_OK) return TCL_ERROR;
    if ((m == CALLBACK) != (objc == 4)) return WrongArgs(interp, 2, objv, usage);
    if (m == MASTER) {
        *followMaster = true;
        return TCL_OK;
    }
    if (m == CALLBACK) {
        ObjRef cmd = CallbackArg(objv[3]);
        if (!cmd) return ArgError(interp, "logger callback needs a command");
        command = cmd;
    }
    mode = modeOf[m];
    return TCL_OK;
}

} // namespace kafkatcl
