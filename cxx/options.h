// options.h -- the one parser of a method's "-option ?value?" words.
//
// A method declares its options once, as an OptionSpec array, and parses its
// arguments with ParseOptions: the option words (flags, or options with a
// value) are taken out, the rest are the positional arguments, in order. An
// unknown option is Tcl's standard "bad option "-x": must be ..." error with a
// KAFKA _INVALID_ARG errorCode. A word counts as an option word when it starts
// with "-" and a non-digit (so -10 is an offset, not an option); "--", when the
// spec allows it, ends the options.
#pragma once

#include "util.h"

#include <vector>

namespace kafkatcl {

struct OptionSpec {
    const char *name; // "-timeout"
    bool takesValue;  // false: a flag
};

class ParsedOptions {
  public:
    // The value word of option i (or the flag word itself), nullptr if absent.
    Tcl_Obj *Get(int i) const { return (size_t)i < values_.size() ? values_[i] : nullptr; }
    bool Has(int i) const { return Get(i) != nullptr; }
    const std::vector<Tcl_Obj *> &Positional() const { return positional_; }

  private:
    friend class OptionParser;
    std::vector<Tcl_Obj *> values_;     // by spec index
    std::vector<Tcl_Obj *> positional_; // the other words, in order
};

class OptionParser {
  public:
    enum Placement {
        Leading,  // options come first; the first other word ends them
        Anywhere, // options may sit between and after the positional words
        Only,     // every word is an option or its value ("--" may end them):
                  // any other word is a bad option, even one not starting with "-"
    };
    template <size_t N>
    OptionParser(const OptionSpec (&specs)[N], Placement placement, bool endMarker)
        : specs_(specs, specs + N), placement_(placement), endMarker_(endMarker) {
        for (const OptionSpec &spec : specs_) names_.push_back(spec.name);
        if (endMarker_) names_.push_back("--");
        names_.push_back(nullptr);
    }

    // Parses objv[first..objc). An option that lacks its value is the
    // "wrong # args" error with `usage` (objv[0] and objv[1] named), or
    // "option -x needs a value" when usage is nullptr.
    int Parse(Tcl_Interp *interp, int objc, Tcl_Obj *const objv[], int first, const char *usage,
              ParsedOptions *out) const;

  private:
    std::vector<OptionSpec> specs_;
    std::vector<const char *> names_; // for the must-be list
    Placement placement_;
    bool endMarker_;
};

// Whether a word is an option word: "-" and then not a digit ("-" alone is one).
bool IsOptionWord(Tcl_Obj *word);

} // namespace kafkatcl
