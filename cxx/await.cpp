// await.cpp -- suspending a coroutine in a method until its result arrives.
#include "await.h"

namespace kafkatcl {

std::shared_ptr<Await> Await::Begin(Tcl_Interp *interp, const char *what) {
    Tcl_Command coroutine = nullptr;
    if (Tcl_EvalEx(interp, "::info coroutine", -1, TCL_EVAL_GLOBAL) == TCL_OK && Tcl_GetCharLength(Tcl_GetObjResult(interp)))
        coroutine = Tcl_GetCommandFromObj(interp, Tcl_GetObjResult(interp));
    Tcl_ResetResult(interp);
    if (!coroutine) {
        KafkaError(interp, RD_KAFKA_RESP_ERR__STATE,
                   std::string(what) + " must be called inside a coroutine (see coroutine(n))");
        return nullptr;
    }
    return std::shared_ptr<Await>(new Await(interp, coroutine));
}

int Await::Suspend(Tcl_Interp *interp, const std::shared_ptr<Await> &await) {
    if (await->state_ == Completed) return await->Deliver();
    if (await->state_ != Pending) return KafkaError(interp, RD_KAFKA_RESP_ERR__STATE, "await is over");
    await->state_ = Suspended;
    // The callback owns this reference: it runs whatever becomes of the
    // coroutine (resumed, deleted, or the yield refused).
    Tcl_NRAddCallback(interp, Resumed, new std::shared_ptr<Await>(await), NULL, NULL, NULL);
    Tcl_Obj *word = Tcl_NewStringObj("::yield", -1);
    return Tcl_NREvalObj(interp, Tcl_NewListObj(1, &word), 0);
}

int Await::Resumed(ClientData data[], Tcl_Interp *interp, int result) {
    std::unique_ptr<std::shared_ptr<Await>> hold(static_cast<std::shared_ptr<Await> *>(data[0]));
    Await &self = **hold;
    if (self.state_ == Completed) return self.Deliver();
    self.state_ = Abandoned;
    // Moved out first: the hook may clear itself (NextWait::Finish).
    std::function<void()> abandoned = std::move(self.onAbandon_);
    self.onAbandon_ = nullptr;
    if (abandoned) abandoned();
    // An error: the yield was refused (C stack busy) or the coroutine is
    // being deleted. Else something else resumed the coroutine.
    if (result != TCL_OK) return result;
    return KafkaError(interp, RD_KAFKA_RESP_ERR__STATE,
                      "the coroutine was resumed while it awaited a result: the await is abandoned");
}

int Await::Deliver() {
    state_ = Abandoned; // delivered once
    onAbandon_ = nullptr;
    if (code_ == TCL_OK) {
        Tcl_SetObjResult(interp_, value_.get());
        return TCL_OK;
    }
    Tcl_SetReturnOptions(interp_, options_.get());
    Tcl_SetObjResult(interp_, value_.get());
    return TCL_ERROR;
}

void Await::Complete(int code) {
    if (!Waiting()) return;
    code_ = code;
    value_ = ObjRef(Tcl_GetObjResult(interp_));
    options_ = code == TCL_OK ? ObjRef() : ObjRef(Tcl_GetReturnOptions(interp_, code));
    Tcl_ResetResult(interp_);
    if (state_ == Suspended) {
        state_ = Completed;
        Resume();
    } else {
        state_ = Completed;
    }
}

// Resumes the coroutine (it still exists: deleting it would have abandoned
// the await) by its current name; the interp's state survives.
void Await::Resume() {
    std::shared_ptr<Await> keep = shared_from_this();
    Tcl_InterpState saved = Tcl_SaveInterpState(interp_, TCL_OK);
    Tcl_Obj *name = Tcl_NewObj();
    Tcl_IncrRefCount(name);
    Tcl_GetCommandFullName(interp_, coroutine_, name);
    int code = Tcl_EvalObjv(interp_, 1, &name, TCL_EVAL_GLOBAL);
    Tcl_DecrRefCount(name);
    if (code == TCL_ERROR) Tcl_AddErrorInfo(interp_, "\n    (a kafka -await coroutine, resumed)");
    if (code != TCL_OK && code != TCL_RETURN) Tcl_BackgroundException(interp_, code);
    Tcl_RestoreInterpState(interp_, saved);
}

void Await::Succeed(Tcl_Obj *value) {
    if (!Waiting()) {
        ObjRef drop(value); // frees a fresh value
        return;
    }
    Tcl_InterpState saved = Tcl_SaveInterpState(interp_, TCL_OK);
    Tcl_SetObjResult(interp_, value);
    Complete(TCL_OK);
    Tcl_RestoreInterpState(interp_, saved);
}

void Await::Fail(rd_kafka_resp_err_t err, const std::string &message) {
    if (!Waiting()) return;
    Tcl_InterpState saved = Tcl_SaveInterpState(interp_, TCL_OK);
    KafkaError(interp_, err, message);
    Complete(TCL_ERROR);
    Tcl_RestoreInterpState(interp_, saved);
}

void Await::FailLater(rd_kafka_resp_err_t err, const std::string &message) {
    std::shared_ptr<Await> self = shared_from_this();
    RunLater(interp_, [self, err, message] { self->Fail(err, message); });
}

namespace {
struct Later {
    Tcl_Interp *interp;
    std::function<void()> fn;
};

void RunLaterTimer(ClientData cd) {
    std::unique_ptr<Later> later(static_cast<Later *>(cd));
    if (!Tcl_InterpDeleted(later->interp)) later->fn();
    Tcl_Release(later->interp);
}
} // namespace

void RunLater(Tcl_Interp *interp, std::function<void()> fn) {
    if (Tcl_InterpDeleted(interp)) return; // nothing more runs there
    Tcl_Preserve(interp);
    Tcl_CreateTimerHandler(0, RunLaterTimer, new Later{interp, std::move(fn)});
}

} // namespace kafkatcl
