// options.h -- the one parser of a method's "-option ?value?" words.
//
// A method declares its options once, as a table of OptionDef rows, each
// naming the field of the method's own small struct it fills: a flag fills a
// bool, an option with a value the Tcl_Obj * of its value word. The handler
// reads the fields by name (no index into the table, so a reorder cannot
// read the wrong option). The words that are not options are the positional
// arguments, in order. An unknown option is Tcl's standard "bad option "-x":
// must be ..." error with a KAFKA _INVALID_ARG errorCode. A word counts as an
// option word when it starts with "-" and a non-digit (so -10 is an offset,
// not an option); "--", when the table allows it, ends the options.
//
//     struct Words { Tcl_Obj *command = nullptr; bool await = false; };
//     static const OptionTable<Words> table({{"-command", &Words::command}, {"-await", &Words::await}},
//                                           Placement::Anywhere, true);
//     Words words;
//     std::vector<Tcl_Obj *> rest;
//     if (table.Parse(interp, objc, objv, 2, nullptr, &words, &rest) != TCL_OK) return TCL_ERROR;
//
// "-timeout ms" as a method's only option (the commonest case) has its own
// helpers, TimeoutOption and TrailingTimeout; kDefaultTimeoutMs is the one
// default of the calls that ask the cluster.
#pragma once

#include "util.h"

#include <initializer_list>
#include <vector>

namespace kafkatcl {

// The wait of a call that asks the cluster (metadata, watermarks, offsets,
// committed, seek, info) when the script gives no -timeout: 5 seconds.
constexpr int kDefaultTimeoutMs = 5000;

// Whether a word is an option word: "-" and then not a digit ("-" alone is one).
bool IsOptionWord(Tcl_Obj *word);

// What the scanner found, handed to the table's target: option `index` of
// the table, with its word (a flag's own word, else the value word).
using OptionFound = void (*)(void *target, size_t index, Tcl_Obj *word);

// Where a method's options may stand among its words.
enum class Placement {
    Leading,  // options come first; the first other word ends them
    Anywhere, // options may sit between and after the positional words
    Only,     // every word is an option or its value ("--" may end them):
              // any other word is a bad option, even one not starting with "-"
};

// The scanner behind every OptionTable (not used directly).
class OptionScanner {
  protected:
    OptionScanner(Placement placement, bool endMarker, bool (*isOption)(Tcl_Obj *))
        : placement_(placement), endMarker_(endMarker), isOption_(isOption) {}
    // One option (in the table's order), then nullptr for the table's end.
    void Declare(const char *name, bool takesValue);
    int Scan(Tcl_Interp *interp, int objc, Tcl_Obj *const objv[], int first, const char *usage, void *target,
             OptionFound found, std::vector<Tcl_Obj *> *positional) const;

  private:
    std::vector<const char *> names_; // NULL-terminated, "--" last when allowed: the must-be list
    std::vector<bool> takesValue_;
    Placement placement_;
    bool endMarker_;
    bool (*isOption_)(Tcl_Obj *word);
};

// One option: its name and the field it fills.
template <class Fields>
struct OptionDef {
    const char *name;                  // "-timeout"
    Tcl_Obj *Fields::*value = nullptr; // an option with a value: its value word
    bool Fields::*flag = nullptr;      // a flag: true when given
    OptionDef(const char *n, Tcl_Obj *Fields::*v) : name(n), value(v) {}
    OptionDef(const char *n, bool Fields::*f) : name(n), flag(f) {}
};

template <class Fields>
class OptionTable : public OptionScanner {
  public:
    // `isOption`: which words are option words, when a method's arguments
    // need another rule than IsOptionWord's.
    OptionTable(std::initializer_list<OptionDef<Fields>> defs, Placement placement, bool endMarker,
                bool (*isOption)(Tcl_Obj *word) = IsOptionWord)
        : OptionScanner(placement, endMarker, isOption), defs_(defs) {
        for (const OptionDef<Fields> &def : defs_) Declare(def.name, def.value != nullptr);
        Declare(nullptr, false);
    }

    // Parses objv[first..objc) into *fields (fields not given keep their
    // value) and the other words into *positional (may be nullptr for an
    // Only table without "--"). An option that lacks its value is the
    // "wrong # args" error with `usage` (objv[0] and objv[1] named), or
    // "option -x needs a value" when usage is nullptr.
    int Parse(Tcl_Interp *interp, int objc, Tcl_Obj *const objv[], int first, const char *usage, Fields *fields,
              std::vector<Tcl_Obj *> *positional = nullptr) const {
        Target target{this, fields};
        return Scan(interp, objc, objv, first, usage, &target, &Fill, positional);
    }

  private:
    struct Target { // what Scan's callback fills
        const OptionTable *table;
        Fields *fields;
    };
    static void Fill(void *target, size_t index, Tcl_Obj *word) {
        Target *t = static_cast<Target *>(target);
        const OptionDef<Fields> &def = t->table->defs_[index];
        if (def.value) t->fields->*def.value = word;
        else t->fields->*def.flag = true;
    }
    std::vector<OptionDef<Fields>> defs_;
};

// "-timeout ms" pairs, and nothing else, in objv[first..objc): *timeoutMs
// set from the last one (GetTimeout's range), kept when there is none.
// Another word is the "bad option" error, a last -timeout without its value
// "option -timeout needs a value" (callers that want "wrong # args" for an
// odd count check it first).
int TimeoutOption(Tcl_Interp *interp, int objc, Tcl_Obj *const objv[], int first, int *timeoutMs);

// The -timeout of an admin call or lag: GetTimeout's, within librdkafka's
// range for admin timeouts (0 to an hour; outside it librdkafka silently
// kept its default).
int GetAdminTimeout(Tcl_Interp *interp, Tcl_Obj *word, int *timeoutMs);

// Whether word is the -timeout option (or a unique prefix of it, as the
// parser takes it).
bool IsTimeoutOption(Tcl_Obj *word);

// "?-timeout ms?" as a method's last two words after at least `before`
// positional words (objv[2..]): taken off *objc when the word before last
// is -timeout; otherwise the words stay positional.
int TrailingTimeout(Tcl_Interp *interp, int *objc, Tcl_Obj *const objv[], int before, int *timeoutMs);

} // namespace kafkatcl
