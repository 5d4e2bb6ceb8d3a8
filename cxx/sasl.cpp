// sasl.cpp -- SASL/OAUTHBEARER: the token refresh event and the methods that
// answer it (oauthbearer_set_token, oauthbearer_set_token_failure).
//
// librdkafka asks for a token (at creation, then at 80% of each token's
// lifetime, and 10 s after a failure) by queueing a refresh op on the main
// queue; the handle's Wakeup watches that queue, so the op is served by
// ServeEvents' rd_kafka_poll in the handle's thread, for producers and
// consumers alike (the group consumer reads its own queue: the main queue is
// never forwarded to it). OnOauthbearerRefresh records the event; the Tcl
// callback runs when the event is dispatched.
#include "handle.h"

#include "master.h"

#include <vector>

namespace kafkatcl {

void Handle::OnOauthbearerRefresh(rd_kafka_t *, const char *config, void *opaque) {
    HandleEvent e{HandleEvent::OauthbearerRefresh};
    e.text = config ? config : "";
    static_cast<Handle *>(opaque)->Record(std::move(e));
}

// The master's callback, with the handle's name and sasl.oauthbearer.config.
// librdkafka asks again only after an answer: no callback, or one that
// raised an error, is answered with a failure (reported to the error
// callback as _AUTHENTICATION, retried by librdkafka 10 s later).
void Handle::DispatchOauthbearerRefresh(const HandleEvent &e) {
    ObjRef cmd = master_->Callbacks().oauthbearerRefresh;
    if (!cmd) {
        rd_kafka_oauthbearer_set_token_failure(rk_.get(), "no oauthbearer_token_refresh_callback is set");
        return;
    }
    Tcl_Obj *args[2] = {NameObj(), NewTextObj(e.text.data(), e.text.size())};
    int code = InvokeCallback(interp_, cmd.get(), 2, args, "kafka oauthbearer token refresh callback");
    if (code == TCL_ERROR && !Deleted())
        rd_kafka_oauthbearer_set_token_failure(rk_.get(), "the oauthbearer token refresh callback raised an error");
}

// oauthbearer_set_token token lifetimeMs principal ?extensions?
// lifetimeMs: when the token expires, in ms since the epoch (librdkafka's
// md_lifetime_ms); extensions: a dict (list) of SASL extension keys and values.
int Handle::OauthbearerSetToken(int objc, Tcl_Obj *const objv[]) {
    // librdkafka 2.0.2 takes an empty token or principal, which it documents
    // as mandatory; the broker would refuse them later, less clearly.
    for (int i : {2, 4})
        if (Tcl_GetCharLength(objv[i]) == 0)
            return ArgError(interp_, std::string("oauthbearer_set_token: the ") + (i == 2 ? "token" : "principal") +
                                         " must not be empty");
    Tcl_WideInt lifetime;
    if (GetWideInt(interp_, objv[3], "lifetimeMs", &lifetime) != TCL_OK) return TCL_ERROR;
    Tcl_Size n = 0;
    Tcl_Obj **words = nullptr;
    if (objc == 6 && (Tcl_ListObjGetElements(NULL, objv[5], &n, &words) != TCL_OK || n % 2 != 0))
        return ArgError(interp_, std::string("extensions must be a list of keys and values, not \"") +
                                     Tcl_GetString(objv[5]) + "\"");
    // librdkafka takes C strings: UTF-8, without NUL.
    std::string token, principal;
    std::vector<std::string> strings((size_t)n);
    if (GetCString(interp_, objv[2], "oauthbearer_set_token: the token", &token) != TCL_OK ||
        GetCString(interp_, objv[4], "oauthbearer_set_token: the principal", &principal) != TCL_OK)
        return TCL_ERROR;
    for (Tcl_Size i = 0; i < n; i++) {
        std::string what = std::string("oauthbearer_set_token: extension ") + (i % 2 ? "value" : "key") + " " +
                           std::to_string(i / 2);
        if (GetCString(interp_, words[i], what, &strings[(size_t)i]) != TCL_OK) return TCL_ERROR;
    }
    std::vector<const char *> extensions;
    for (const std::string &s : strings) extensions.push_back(s.c_str());
    char errstr[512] = "";
    rd_kafka_resp_err_t err =
        rd_kafka_oauthbearer_set_token(rk_.get(), token.c_str(), (int64_t)lifetime, principal.c_str(),
                                       extensions.data(), extensions.size(), errstr, sizeof errstr);
    if (err) return KafkaError(interp_, err, std::string("oauthbearer_set_token: ") + errstr);
    return TCL_OK;
}

// oauthbearer_set_token_failure message
int Handle::OauthbearerSetTokenFailure(int, Tcl_Obj *const objv[]) {
    std::string message;
    if (GetCString(interp_, objv[2], "oauthbearer_set_token_failure: the message", &message) != TCL_OK)
        return TCL_ERROR;
    if (message.empty()) return ArgError(interp_, "oauthbearer_set_token_failure: the message must not be empty");
    rd_kafka_resp_err_t err = rd_kafka_oauthbearer_set_token_failure(rk_.get(), message.c_str());
    if (err == RD_KAFKA_RESP_ERR__STATE)
        return KafkaError(interp_, err, "oauthbearer_set_token_failure: SASL/OAUTHBEARER is not the configured "
                                        "authentication mechanism");
    if (err) return KafkaError(interp_, err, std::string("oauthbearer_set_token_failure: ") + rd_kafka_err2str(err));
    return TCL_OK;
}

} // namespace kafkatcl
