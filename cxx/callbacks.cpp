// callbacks.cpp -- invoking Tcl callbacks safely.
#include "callbacks.h"

namespace kafkatcl {

int InvokeCallback(Tcl_Interp *interp, Tcl_Obj *cmd, Tcl_Obj *arg, const char *context) {
    Tcl_Obj *script = Tcl_DuplicateObj(cmd);
    Tcl_IncrRefCount(script);
    Tcl_IncrRefCount(arg);
    int code = Tcl_ListObjAppendElement(interp, script, arg);
    if (code == TCL_OK) {
        Tcl_Preserve(interp);
        code = Tcl_EvalObjEx(interp, script, TCL_EVAL_GLOBAL);
        if (code == TCL_ERROR) {
            Tcl_AddErrorInfo(interp, "\n    (");
            Tcl_AddErrorInfo(interp, context);
            Tcl_AddErrorInfo(interp, ")");
            Tcl_BackgroundException(interp, code);
        } else if (code != TCL_OK && code != TCL_BREAK && code != TCL_CONTINUE && code != TCL_RETURN) {
            Tcl_BackgroundException(interp, code);
        }
        Tcl_ResetResult(interp);
        Tcl_Release(interp);
    } else {
        Tcl_BackgroundException(interp, code);
    }
    Tcl_DecrRefCount(arg);
    Tcl_DecrRefCount(script);
    return code;
}

ObjRef CallbackArg(Tcl_Obj *obj) {
    int len;
    Tcl_GetStringFromObj(obj, &len);
    return len ? ObjRef(obj) : ObjRef();
}

} // namespace kafkatcl
