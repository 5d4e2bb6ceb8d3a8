// method.h -- one declaration per method of an object command.
//
// Each object class keeps one static table of MethodDef rows, the way
// Python's C API keeps a PyMethodDef per method: the method's name, its
// handler, how many argument words it takes and their usage, and which kinds
// of the class have it (a handle is a producer or a consumer). Dispatch, the
// "bad method ... must be ..." error, the "wrong # args" error and the
// fuzzer's method lists all come from the table; nothing else lists methods.
#pragma once

#include "callbacks.h"
#include "util.h"

#include <cstring>
#include <initializer_list>
#include <string>
#include <vector>

namespace kafkatcl {

constexpr int kAnyArgs = -1;       // MethodDef::maxArgs: no upper bound
constexpr unsigned kAllKinds = ~0u; // MethodDef::kinds: every kind has it
// What a handler returns when it finds the number of words wrong itself
// (after taking out its options): Dispatch reports the row's usage, so the
// usage is written once. No Tcl return code is negative.
constexpr int kWrongArgs = -2;

template <typename T>
struct MethodDef {
    const char *name;
    int (T::*run)(int objc, Tcl_Obj *const objv[]); // objv[0] the object, objv[1] the method
    int minArgs;       // argument words after the method name
    int maxArgs;       // or kAnyArgs
    const char *usage; // the arguments, for "wrong # args: should be \"obj method usage\""
    unsigned kinds;    // bit mask of the kinds that have it, or kAllKinds
    // Only the whole name picks it, no unique prefix (the master's
    // "subscriber", which the consumer's "subscribe" must not reach).
    bool exact = false;
    // Rows that share one handler (the admin calls, made from admin.cpp's
    // table; the info types) have no `run`: `call` gets the row itself, and
    // its `data`.
    int (*call)(T *self, const MethodDef &row, int objc, Tcl_Obj *const objv[]) = nullptr;
    const void *data = nullptr;
};

template <typename T>
class MethodTable {
  public:
    // `kinds`: every kind value Dispatch will be asked for (the per-kind
    // method lists are made here, once, so lookups take no lock). `what`
    // names the word in errors ("bad subcommand ..." for a plain command).
    // `word`: where the word is in objv, 1, or 2 for a nested table (a
    // method's sub-words: `$handle info topics`); its argument words follow.
    template <size_t N>
    MethodTable(const MethodDef<T> (&rows)[N], std::initializer_list<unsigned> kinds = {kAllKinds},
                const char *what = "method", int word = 1)
        : MethodTable(std::vector<MethodDef<T>>(rows, rows + N), kinds, what, word) {}
    // ... from rows put together at run time (the handle's: its own and the admin calls').
    MethodTable(std::vector<MethodDef<T>> rows, std::initializer_list<unsigned> kinds, const char *what = "method",
                int word = 1)
        : rows_(std::move(rows)), what_(what), word_(word) {
        for (unsigned kind : kinds) {
            View view{kind, {}, {}};
            for (const MethodDef<T> &row : rows_) {
                if (!(row.kinds & kind)) continue;
                view.rows.push_back(&row);
                view.names.push_back(row.name);
            }
            view.names.push_back(nullptr);
            views_.push_back(std::move(view));
        }
    }

    // Runs the method objv[word] of `self`, an object of kind `kind`.
    int Dispatch(T *self, unsigned kind, int objc, Tcl_Obj *const objv[]) const {
        const View &view = ViewOf(kind);
        Tcl_Interp *interp = self->Interp();
        int index;
        if (GetIndex(interp, objv[word_], view.names.data(), what_, &index) != TCL_OK) return TCL_ERROR;
        const MethodDef<T> &row = *view.rows[index];
        if (row.exact && strcmp(Tcl_GetString(objv[word_]), row.name)) {
            // The error an exact lookup gives (a fresh word: objv[word_] now
            // caches the prefix match).
            Tcl_Obj *word = Tcl_NewStringObj(Tcl_GetString(objv[word_]), -1);
            Tcl_IncrRefCount(word);
            Tcl_GetIndexFromObj(interp, word, view.names.data(), what_, TCL_EXACT, &index);
            Tcl_DecrRefCount(word);
            return RelabelError(interp);
        }
        return RunRow(self, row, objc, objv);
    }

    // Runs the method whose handler is `run` on `self` with the argument
    // words `args`, as Dispatch runs "self name ?arg ...?" (the row's arity
    // and usage included; no kind check): for C++ callers, which so name a
    // method at compile time (the subscriber's calls of its handle).
    int Call(T *self, int (T::*run)(int objc, Tcl_Obj *const objv[]), const std::vector<Tcl_Obj *> &args) const {
        const MethodDef<T> *row = RowOf(run);
        if (!row) return KafkaError(self->Interp(), RD_KAFKA_RESP_ERR__INVALID_ARG, "no such method"); // a programming error
        ObjRef selfWord(self->NameObj()), methodWord(Tcl_NewStringObj(row->name, -1));
        std::vector<Tcl_Obj *> objv{selfWord.get(), methodWord.get()};
        objv.insert(objv.end(), args.begin(), args.end());
        return RunRow(self, *row, (int)objv.size(), objv.data());
    }

    // The whole command's usage, for the "wrong # args" of a plain command
    // called with no word: its one row's "name usage", or "a|b ?arg ...?".
    std::string Usage(unsigned kind = kAllKinds) const {
        const View &view = ViewOf(kind);
        if (view.rows.size() == 1) return std::string(view.rows[0]->name) + " " + view.rows[0]->usage;
        std::string usage;
        for (const MethodDef<T> *row : view.rows) usage += (usage.empty() ? "" : "|") + std::string(row->name);
        return usage + " ?arg ...?";
    }

    // The method names a kind has, in table order (the fuzzer's lists).
    std::vector<const char *> Names(unsigned kind = kAllKinds) const {
        const std::vector<const char *> &names = ViewOf(kind).names;
        return std::vector<const char *>(names.begin(), names.end() - 1);
    }

    // The usage of the row whose handler is `run` ("" if none: a programming
    // error, seen in tests), for handlers whose option parser reports it.
    const char *UsageOf(int (T::*run)(int objc, Tcl_Obj *const objv[])) const {
        const MethodDef<T> *row = RowOf(run);
        return row ? row->usage : "";
    }

  private:
    const MethodDef<T> *RowOf(int (T::*run)(int objc, Tcl_Obj *const objv[])) const {
        for (const MethodDef<T> &row : rows_)
            if (row.run == run) return &row;
        return nullptr;
    }
    // The row's arity check, its handler, and kWrongArgs made its usage.
    int RunRow(T *self, const MethodDef<T> &row, int objc, Tcl_Obj *const objv[]) const {
        Tcl_Interp *interp = self->Interp();
        int args = objc - word_ - 1;
        if (args < row.minArgs || (row.maxArgs != kAnyArgs && args > row.maxArgs))
            return WrongArgs(interp, word_ + 1, objv, row.usage);
        int code = row.run ? (self->*row.run)(objc, objv) : row.call(self, row, objc, objv);
        return code == kWrongArgs ? WrongArgs(interp, word_ + 1, objv, row.usage) : code;
    }
    struct View {
        unsigned kind;
        std::vector<const MethodDef<T> *> rows;
        std::vector<const char *> names; // NULL-terminated, for GetIndex
    };
    const View &ViewOf(unsigned kind) const {
        for (const View &view : views_)
            if (view.kind == kind) return view;
        return views_.front(); // a kind not declared: a programming error, seen in tests
    }
    std::vector<MethodDef<T>> rows_; // the views point into it: never changed after construction
    std::vector<View> views_;
    const char *what_;
    int word_;
};

// A plain command (::kafka::kafka, ::kafka::mock) is no object, but its
// subcommands are declared as methods are: `Self` (a struct holding the
// interp, with a static Table()) is what its table dispatches on. No word:
// "wrong # args" with the table's whole usage.
template <typename Self>
int DispatchPlainCommand(Tcl_Interp *interp, int objc, Tcl_Obj *const objv[]) {
    if (objc < 2) return WrongArgs(interp, 1, objv, Self::Table().Usage().c_str());
    Self self{interp};
    return Self::Table().Dispatch(&self, kAllKinds, objc, objv);
}

} // namespace kafkatcl
