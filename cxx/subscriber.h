// subscriber.h -- the subscriber object made by `$master subscriber`: the
// later KafkaTcl's group consumer, with that KafkaTcl's method names and
// argument forms (tuples, -options, key-value lists).
//
// Design: a subscriber is not a Handle but owns one. It takes a COPY of its
// master's client and topic configuration when created, so that `config`
// (group.id, ...) changes the subscriber alone and never the shared master.
// The librdkafka consumer is made from that copy on first use, as an ordinary
// consumer Handle whose parent is the subscriber (HandleOrigin): the group
// methods (subscribe, assign, commit, committed, position, consume_callback,
// info ...) are the Handle's, called through Handle::Invoke, so there is one
// implementation of each; the subscriber only translates its argument forms.
// `$sub handle` returns that handle's command. Object tree:
//     master -> subscriber -> consumer handle -> (topics, queues made from it)
// so deleting the master deletes the subscriber, and the subscriber its handle.
// Deleting the handle alone is allowed: the subscriber makes a new one (from
// its configuration, as it is then) the next time one is needed.
#pragma once

#include "callbacks.h"
#include "object.h"

#include <vector>

namespace kafkatcl {

class Handle;
class Master;

class Subscriber : public Object {
  public:
    Subscriber(Tcl_Interp *interp, Master *master);
    int Invoke(int objc, Tcl_Obj *const objv[]) override;

    // The method names, in table order (for the fuzzer).
    static std::vector<const char *> MethodNames();

  private:
    friend struct SubscriberMethods;
    // The consumer handle, made now if there is none; nullptr and an error
    // when librdkafka refuses the configuration.
    Handle *Consumer();
    // The consumer handle if it exists (and was not deleted), else nullptr.
    Handle *LiveConsumer() const;
    // Runs the handle's method `run` with the argument words `args`, as
    // `$handle method ?arg ...?` would (its arity check and errors included).
    int CallHandle(Handle *handle, int (Handle::*run)(int, Tcl_Obj *const[]), std::vector<Tcl_Obj *> args);
    // ... with "-timeout ms" appended when timeout is not nullptr.
    int CallHandleWithTimeout(Handle *handle, int (Handle::*run)(int, Tcl_Obj *const[]), std::vector<Tcl_Obj *> args,
                              Tcl_Obj *timeout);
    bool HasGroup(Handle *handle);
    bool IsNoGroupError(); // the error just left is a handle's "no group.id"
    int NoGroup();         // this subscriber's error for it

    // The methods (one row each in SubscriberMethods' table, subscriber.cpp).
    int ConfigMethod(int objc, Tcl_Obj *const objv[]);
    int SubscribeMethod(int objc, Tcl_Obj *const objv[]);
    int UnsubscribeMethod(int objc, Tcl_Obj *const objv[]);
    int AssignmentMethod(int objc, Tcl_Obj *const objv[]);
    int HandleMethod(int objc, Tcl_Obj *const objv[]);
    int AssignMethod(int objc, Tcl_Obj *const objv[]);
    int CommitMethod(int objc, Tcl_Obj *const objv[]);
    int ConsumeMethod(int objc, Tcl_Obj *const objv[]);
    int CallbackMethod(int objc, Tcl_Obj *const objv[]);
    int OffsetsMethod(int objc, Tcl_Obj *const objv[]);
    int WatermarksMethod(int objc, Tcl_Obj *const objv[]);
    int MetaMethod(int objc, Tcl_Obj *const objv[]);
    int InfoMethod(int objc, Tcl_Obj *const objv[]);

    Master *master_;
    ConfPtr conf_;           // the copy `config` reads and changes
    TopicConfPtr topicConf_; // ... and its topic properties
    Handle *consumer_ = nullptr; // valid only while among Children(): see LiveConsumer
    ObjRef callback_;            // `callback cmd`, for `callback` with no argument
};

// The later KafkaTcl's tuple arguments {topic ?partition? ?offset?}: each
// word one tuple (subscribe a b, commit {t 0 5} {t 1 7}), or a single word
// that is a list of tuples ({a b}, {{t 0 5} {t 1 7}}) unless it is itself
// one tuple: two or three plain words, the second an integer ({t 0}, {t 0 5}).
// Sets *tuples to a new list of the tuples; an error when a word is no list.
int TupleList(Tcl_Interp *interp, int objc, Tcl_Obj *const objv[], Tcl_Obj **tuples);

// $master subscriber cmdName|#auto (#auto: kafka_subscriberN).
int CreateSubscriber(Tcl_Interp *interp, Master *master, Tcl_Obj *nameObj);

} // namespace kafkatcl
