// options.cpp -- see options.h.
#include "options.h"

namespace kafkatcl {

bool IsOptionWord(Tcl_Obj *word) {
    const char *w = Tcl_GetString(word);
    return w[0] == '-' && !(w[1] >= '0' && w[1] <= '9');
}

int OptionParser::Parse(Tcl_Interp *interp, int objc, Tcl_Obj *const objv[], int first, const char *usage,
                        ParsedOptions *out) const {
    out->values_.assign(specs_.size(), nullptr);
    out->positional_.clear();
    for (int i = first; i < objc; i++) {
        bool optionsOver = placement_ == Leading && !out->positional_.empty();
        if (placement_ != Only && (optionsOver || !IsOptionWord(objv[i]))) {
            out->positional_.push_back(objv[i]);
            continue;
        }
        int o;
        if (GetIndex(interp, objv[i], names_.data(), "option", &o) != TCL_OK) return TCL_ERROR;
        if ((size_t)o == specs_.size()) { // "--": the rest is positional
            out->positional_.insert(out->positional_.end(), objv + i + 1, objv + objc);
            break;
        }
        if (!specs_[o].takesValue) {
            out->values_[o] = objv[i];
            continue;
        }
        if (i + 1 >= objc) {
            if (usage) return WrongArgs(interp, 2, objv, usage);
            return ArgError(interp, std::string("option ") + specs_[o].name + " needs a value");
        }
        out->values_[o] = objv[++i];
    }
    return TCL_OK;
}

} // namespace kafkatcl
