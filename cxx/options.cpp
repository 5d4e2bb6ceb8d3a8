// options.cpp -- see options.h.
#include "options.h"

#include <cstring>

namespace kafkatcl {

bool IsOptionWord(Tcl_Obj *word) {
    const char *w = Tcl_GetString(word);
    return w[0] == '-' && !(w[1] >= '0' && w[1] <= '9');
}

// Called once per option, then once with nullptr (the end of the table).
void OptionScanner::Declare(const char *name, bool takesValue) {
    if (name) {
        names_.push_back(name);
        takesValue_.push_back(takesValue);
        return;
    }
    if (endMarker_) names_.push_back("--");
    names_.push_back(nullptr);
}

int OptionScanner::Scan(Tcl_Interp *interp, int objc, Tcl_Obj *const objv[], int first, const char *usage,
                        void *target, OptionFound found, std::vector<Tcl_Obj *> *positional) const {
    std::vector<Tcl_Obj *> unused; // an Only table without "--" has no positional words
    if (!positional) positional = &unused;
    positional->clear();
    size_t options = takesValue_.size();
    for (int i = first; i < objc; i++) {
        bool optionsOver = placement_ == Placement::Leading && !positional->empty();
        if (placement_ != Placement::Only && (optionsOver || !isOption_(objv[i]))) {
            positional->push_back(objv[i]);
            continue;
        }
        int o;
        if (GetIndex(interp, objv[i], names_.data(), "option", &o) != TCL_OK) return TCL_ERROR;
        if ((size_t)o == options) { // "--": the rest is positional
            positional->insert(positional->end(), objv + i + 1, objv + objc);
            break;
        }
        if (!takesValue_[o]) {
            found(target, o, objv[i]);
            continue;
        }
        if (i + 1 >= objc) {
            if (usage) return WrongArgs(interp, 2, objv, usage);
            return ArgError(interp, std::string("option ") + names_[o] + " needs a value");
        }
        found(target, o, objv[++i]);
    }
    return TCL_OK;
}

namespace {
struct TimeoutWords {
    Tcl_Obj *timeout = nullptr;
};
const OptionTable<TimeoutWords> &TimeoutTable() {
    static const OptionTable<TimeoutWords> table({{"-timeout", &TimeoutWords::timeout}}, Placement::Only, false);
    return table;
}
} // namespace

int TimeoutOption(Tcl_Interp *interp, int objc, Tcl_Obj *const objv[], int first, int *timeoutMs) {
    TimeoutWords words;
    if (TimeoutTable().Parse(interp, objc, objv, first, nullptr, &words) != TCL_OK) return TCL_ERROR;
    return words.timeout ? GetTimeout(interp, words.timeout, timeoutMs) : TCL_OK;
}

int GetAdminTimeout(Tcl_Interp *interp, Tcl_Obj *word, int *timeoutMs) {
    int ms;
    if (GetTimeout(interp, word, &ms) != TCL_OK) return TCL_ERROR;
    if (ms < 0 || ms > 3600000) return ArgError(interp, "-timeout must be between 0 and 3600000 milliseconds");
    *timeoutMs = ms;
    return TCL_OK;
}

// The parser's own match (a unique prefix counts, as for every option),
// asked without an interp: no match is no error.
bool IsTimeoutOption(Tcl_Obj *word) {
    static const char *const names[] = {"-timeout", nullptr};
    int index;
    return Tcl_GetIndexFromObj(nullptr, word, names, "option", 0, &index) == TCL_OK;
}

int TrailingTimeout(Tcl_Interp *interp, int *objc, Tcl_Obj *const objv[], int before, int *timeoutMs) {
    if (*objc < 2 + before + 2 || !IsTimeoutOption(objv[*objc - 2])) return TCL_OK; // positional words
    if (GetTimeout(interp, objv[*objc - 1], timeoutMs) != TCL_OK) return TCL_ERROR;
    *objc -= 2;
    return TCL_OK;
}

} // namespace kafkatcl
