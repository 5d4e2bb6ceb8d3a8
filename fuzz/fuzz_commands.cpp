// fuzz_commands.cpp -- a libFuzzer harness for the kafka package's Tcl
// commands: argument parsing, byte/text conversion, header lists, partition
// lists, admin option dicts, mock cluster fault injection, object lifetimes.
//
// Built and run by `tclsh build.tcl fuzz` (see build.tcl), which compiles
// this file together with cxx/*.cpp, so the package code is instrumented
// (coverage, AddressSanitizer, UBSan).
//
// INPUT FORMAT. An input is text, up to kMaxLines lines; each line is one
// call, a Tcl list:
//
//	target method ?arg ...?
//
// target names an object (see kTargets; an unknown word is mapped onto one by
// a hash). The method word is passed to the object as it is, so unknown
// methods and unique prefixes are exercised too; the harness resolves it
// with the same table to know which arguments are timeouts or scripts.
// A line that is not a list is split at its first two spaces, the rest
// becoming one argument. Argument words may use these forms:
//
//	$master $producer $consumer $simple $offline $ptopic $ctopic $queue
//	$mock $new $ntopic $nqueue    the command name of that object
//	@x:HEX     a byte array of those bytes (pure, no string form)
//	@b:TEXT    TEXT converted to a byte array (string form kept)
//	@l:LIST    a pure list whose elements are converted recursively
//	@d:LIST    a pure dict of the converted key value pairs
//	@i:N       a pure wide integer
//	%N         (in a script position) fixed script number N
//
// SAFETY. Inputs never run arbitrary Tcl: every script argument (consume_batch
// bodies, callbacks, -command) is replaced by one of a fixed set of scripts,
// and the interp is made safe anyway. Nothing connects outside the loopback
// mock cluster: configuration keys that name brokers, load code, run
// commands or touch files are rewritten (kSafeGlobalKeys/kSafeTopicKeys),
// add_brokers only gets 127.0.0.1 addresses. Timeouts are clamped to a few
// milliseconds and the admin calls that hang librdkafka 2.0.2's mock cluster
// (the rows of admin.cpp's table refused on the mock: AdminRefusedOnMock)
// go to a handle whose broker is a closed loopback port.
//
// LIBRDKAFKA 2.0.2 limits worked around here (each also noted where it is
// done): its mock cluster's group coordinator asserts when a SyncGroup is
// re-sent, so the long-lived group consumer has a fault-free cluster of its
// own and the default socket.timeout.ms; deleting a subscribed consumer waits
// on the group; deleting a producer handle flushes up to 10 s (so handles are
// purged before the harness deletes them, and libFuzzer's -timeout is 25 s).
//
// ENVIRONMENT: FUZZ_VERBOSE=1 prints every call and its result;
// FUZZ_SLOW_MS=N reports calls, deletions and restores slower than N ms;
// FUZZ_RESET_EVERY=N rebuilds every object after N inputs (default 2000:
// the mock clusters keep every topic and message).
//
// INVARIANTS checked after every call (a violation aborts, which libFuzzer
// reports as a crash with the input saved):
//  * a TCL_ERROR has errorCode {KAFKA ERRNAME message ?classes?} with the
//    message equal to the result; only calls that ran one of the fixed
//    scripts may also raise the scripts' own errors (FUZZ ..., TCL ...);
//  * a successful create returns the name of an existing command;
//  * the interp still evaluates `expr {1+1}`;
//  * the long-lived objects still exist, unless the call was a delete or a
//    fixed script ran (::fuzz_eval sets ::fuzz_ran), here or from an event.
// Then the objects are restored (faults cleared, state reset, objects the
// input deleted or changed recreated) so every input starts from the same
// state.
#include <tcl.h>
#include <librdkafka/rdkafka.h>

#include "admin.h"
#include "handle.h"
#include "master.h"
#include "mock.h"
#include "object.h"
#include "queue.h"
#include "subscriber.h"
#include "topic.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <set>
#include <string>
#include <vector>

namespace {

constexpr int kMaxLines = 8;
constexpr int kMaxTimeoutMs = 20;
unsigned long fullResetEvery = 2000; // inputs between rebuilding everything (FUZZ_RESET_EVERY)

Tcl_Interp *interp = nullptr;
bool verbose = false;
double slowMs = 0; // FUZZ_SLOW_MS: report calls slower than this

double NowMs() {
    Tcl_Time t;
    Tcl_GetTime(&t);
    return t.sec * 1000.0 + t.usec / 1000.0;
}
unsigned long inputs = 0;

// ---------------------------------------------------------------------------
// Objects

enum Kind { K_KAFKA, K_MOCKCMD, K_MASTER, K_PRODUCER, K_CONSUMER, K_PTOPIC, K_CTOPIC, K_QUEUE, K_MOCK, K_SUBSCRIBER };

struct Target {
    const char *word; // as written in inputs
    Kind kind;
    const char *fixedName; // long-lived or per-input object; nullptr: "the last one created"
};

// Long-lived objects (created once, recreated when an input deletes or changes them):
//   fz_mock (3 brokers, topic "fuzz" with 3 partitions) <- fz_master (bootstrap = fz_mock)
//   fz_master -> fz_producer -> fz_ptopic (topic fuzz)
//   fz_gmock (1 broker, no faults) <- fz_gmaster -> fz_consumer (group consumer,
//             group.id fuzzgroup, subscribed to fuzz; a cluster of its own
//             because librdkafka 2.0.2's mock group coordinator asserts
//             (rd_kafka_mock_cgrp_member_sync_set) now and then under faults)
//             -> fz_simple -> fz_ctopic (fuzz, partition 0 started, 1 started into fz_queue)
//                          -> fz_queue
//   fz_offmaster (bootstrap 127.0.0.1:1, nothing listens) -> fz_offline
//   fz_smock (a 1-broker mock cluster no client uses, for delete and faults)
// Per input: fz_scratch (a fresh master, bootstrap = fz_mock), and whatever
// the input creates.
const Target kTargets[] = {
    {"kafka", K_KAFKA, "::kafka::kafka"},
    {"mockcmd", K_MOCKCMD, "::kafka::mock"},
    {"master", K_MASTER, "::fz_master"},
    {"scratch", K_MASTER, "::fz_scratch"},
    {"nmaster", K_MASTER, nullptr},
    {"producer", K_PRODUCER, "::fz_producer"},
    {"consumer", K_CONSUMER, "::fz_consumer"},
    {"simple", K_CONSUMER, "::fz_simple"},
    {"offline", K_PRODUCER, "::fz_offline"},
    {"new", K_PRODUCER, nullptr}, // kind fixed up from the handle (or subscriber) it names
    {"ptopic", K_PTOPIC, "::fz_ptopic"},
    {"ctopic", K_CTOPIC, "::fz_ctopic"},
    {"ntopic", K_PTOPIC, nullptr}, // kind fixed up from the handle
    {"queue", K_QUEUE, "::fz_queue"},
    {"nqueue", K_QUEUE, nullptr},
    {"mock", K_MOCK, "::fz_mock"},
    {"smock", K_MOCK, "::fz_smock"},
    {"nmock", K_MOCK, nullptr},
};
constexpr int kTargetCount = sizeof kTargets / sizeof kTargets[0];

const char *const kLongLived[] = {"::fz_mock",   "::fz_master", "::fz_producer",  "::fz_ptopic",  "::fz_gmock",
                                  "::fz_gmaster", "::fz_consumer", "::fz_simple", "::fz_queue",   "::fz_ctopic",
                                  "::fz_offmaster", "::fz_offline"};

// The method tables of the objects, as in cxx/ (the harness resolves the
// method word the same way, unique prefixes included). A class's MethodNames()
// with the NULL that Tcl_GetIndexFromObj needs:
std::vector<const char *> Terminated(std::vector<const char *> names) {
    names.push_back(nullptr);
    return names;
}
const std::vector<const char *> kKafkaMethods = Terminated(kafkatcl::KafkaCmdNames());
const std::vector<const char *> kMockCmdMethods = Terminated(kafkatcl::MockCmdNames());
const std::vector<const char *> kMasterMethods = Terminated(kafkatcl::Master::MethodNames());
const std::vector<const char *> kProducerMethods = Terminated(kafkatcl::Handle::MethodNames(kafkatcl::Handle::kProducerKind));
const std::vector<const char *> kConsumerMethods = Terminated(kafkatcl::Handle::MethodNames(kafkatcl::Handle::kConsumerKind));
const std::vector<const char *> kPTopicMethods = Terminated(kafkatcl::Topic::MethodNames(kafkatcl::Topic::kProducerKind));
const std::vector<const char *> kCTopicMethods = Terminated(kafkatcl::Topic::MethodNames(kafkatcl::Topic::kConsumerKind));
const std::vector<const char *> kQueueMethods = Terminated(kafkatcl::Queue::MethodNames());
const std::vector<const char *> kSubscriberMethods = Terminated(kafkatcl::Subscriber::MethodNames());
const std::vector<const char *> kMockMethods = Terminated(kafkatcl::MockCluster::MethodNames());

const char *const *MethodTable(Kind k) {
    switch (k) {
    case K_KAFKA: return kKafkaMethods.data();
    case K_MOCKCMD: return kMockCmdMethods.data();
    case K_MASTER: return kMasterMethods.data();
    case K_PRODUCER: return kProducerMethods.data();
    case K_CONSUMER: return kConsumerMethods.data();
    case K_PTOPIC: return kPTopicMethods.data();
    case K_CTOPIC: return kCTopicMethods.data();
    case K_QUEUE: return kQueueMethods.data();
    case K_MOCK: return kMockMethods.data();
    case K_SUBSCRIBER: return kSubscriberMethods.data();
    }
    return nullptr;
}

// The fixed scripts that replace every script argument. Each is a command
// prefix (callbacks append an argument), so it also works as a body.
const char *const kScripts[] = {
    "",                                    // clears a callback; an empty body
    "::fuzz_ok",                           // does nothing
    "::fuzz_err",                          // error with errorCode {FUZZ SCRIPT}
    "::fuzz_break",                        // break
    "::fuzz_continue",                     // continue
    "::fuzz_return",                       // return
    "::fuzz_code7",                        // return -code 7
    "::fuzz_eval {$ctopic delete}",        // deletes its own object (or another)
    "::fuzz_eval {$queue delete}",
    "::fuzz_eval {$consumer delete}",
    "::fuzz_eval {$simple delete}",
    "::fuzz_eval {$master delete}",
    "::fuzz_eval {$producer delete}",
    "::fuzz_eval {$ptopic produce 0 reentrant}",  // re-entrant calls
    "::fuzz_eval {$consumer poll 0}",
    "::fuzz_eval {$ctopic consume 0 0 ::fuzz_a}",
    "::fuzz_eval {$queue consume_batch 0 5 ::fuzz_b ::fuzz_break}",
    "::fuzz_eval {$producer flush 0}",
    "::fuzz_eval {$master decode text}",
    "::fuzz_eval {$consumer consume_callback {}}",
    "::fuzz_eval {$queue consume_callback {}}",
    "::fuzz_eval {$ctopic consume_stop 0}",
};
constexpr int kScriptCount = sizeof kScripts / sizeof kScripts[0];

// Configuration keys an input may set (others that librdkafka knows are
// rewritten to client.id / acks; unknown keys pass, to exercise the error).
// Left out on purpose: anything naming brokers or hosts, loading code
// (plugin.library.paths, ssl.engine.*), running commands (sasl.kerberos.*),
// reading or writing files (ssl.*, offset.store.path), long waits on delete
// (linger.ms, message.timeout.ms, fetch.wait.max.ms) and debug output.
const char *const kSafeGlobalKeys[] = {
    "client.id", "group.id", "group.instance.id", "acks", "request.required.acks", "compression.codec",
    "compression.type", "compression.level", "auto.offset.reset", "enable.auto.commit", "auto.commit.interval.ms",
    "enable.auto.offset.store", "enable.partition.eof", "statistics.interval.ms", "queue.buffering.max.messages",
    "queue.buffering.max.kbytes", "batch.num.messages", "batch.size", "enable.idempotence", "partitioner",
    "check.crcs", "message.max.bytes", "message.copy.max.bytes", "receive.message.max.bytes", "isolation.level",
    "partition.assignment.strategy", "queued.min.messages", "queued.max.messages.kbytes", "fetch.min.bytes",
    "fetch.max.bytes", "log_level", "log.connection.close", "transactional.id", "enable.gapless.guarantee",
    "max.in.flight", "retries", "message.send.max.retries", "allow.auto.create.topics", "client.rack",
    "api.version.request", "consume.callback.max.messages", "topic.metadata.refresh.interval.ms", NULL};
const char *const kSafeTopicKeys[] = {"acks", "request.required.acks", "partitioner", "compression.codec",
                                      "compression.type", "compression.level", "auto.offset.reset",
                                      "consume.callback.max.messages", "queuing.strategy", "produce.offset.report",
                                      NULL};

std::string bootstrap;      // fz_mock's
std::string groupBootstrap; // fz_gmock's
std::set<std::string> baselineCommands, baselineGlobals, baselineNamespaces;

// ---------------------------------------------------------------------------
// Helpers

[[noreturn]] void Fail(const std::string &what) {
    fprintf(stderr, "\n==== fuzz_commands: INVARIANT VIOLATED: %s\n", what.c_str());
    fflush(stderr);
    abort();
}

bool Exists(const std::string &name) {
    Tcl_CmdInfo info;
    return Tcl_GetCommandInfo(interp, name.c_str(), &info) != 0;
}

// Evaluates harness script; failures of the setup are fatal.
void ResetLimits();

std::string Must(const std::string &script) {
    ResetLimits();
    if (Tcl_EvalEx(interp, script.c_str(), -1, TCL_EVAL_GLOBAL) != TCL_OK) {
        fprintf(stderr, "fuzz_commands: setup failed: %s\n  in: %s\n", Tcl_GetStringResult(interp), script.c_str());
        fflush(stderr);
        abort();
    }
    return Tcl_GetStringResult(interp);
}

// Evaluates harness script whose failure is fine (cleanup of fuzzed state).
void Try(const std::string &script) {
    ResetLimits();
    Tcl_EvalEx(interp, script.c_str(), -1, TCL_EVAL_GLOBAL);
    Tcl_ResetResult(interp);
}

std::set<std::string> ListOf(const std::string &script) {
    std::set<std::string> out;
    Tcl_Obj *list = Tcl_NewStringObj(Must(script).c_str(), -1);
    Tcl_IncrRefCount(list);
    int n;
    Tcl_Obj **e;
    if (Tcl_ListObjGetElements(NULL, list, &n, &e) == TCL_OK)
        for (int i = 0; i < n; i++) out.insert(Tcl_GetString(e[i]));
    Tcl_DecrRefCount(list);
    return out;
}

void ServeEvents(int max = 200) {
    for (int i = 0; i < max && Tcl_DoOneEvent(TCL_ALL_EVENTS | TCL_DONT_WAIT); i++) {
    }
}

void ResetLimits() {
    // Only the fixed scripts run, but keep a runaway bounded anyway.
    Tcl_Time t;
    Tcl_GetTime(&t);
    t.sec += 30;
    Tcl_LimitSetTime(interp, &t);
}

// ---------------------------------------------------------------------------
// The long-lived objects

void CreateMock() {
    if (!Exists("::fz_mock")) {
        Must("::kafka::mock create ::fz_mock -brokers 3");
        Must("::fz_mock create_topic fuzz 3");
        bootstrap = Must("::fz_mock bootstrap");
    }
    if (!Exists("::fz_gmock")) {
        Must("::kafka::mock create ::fz_gmock");
        Must("::fz_gmock create_topic fuzz 3");
        groupBootstrap = Must("::fz_gmock bootstrap");
    }
}

// Settings every master used with fz_mock gets: bounded waits, quiet logs.
std::string MasterSettings() {
    return "bootstrap.servers " + bootstrap +
           " statistics.interval.ms 500 message.timeout.ms 1000 socket.timeout.ms 1000 enable.partition.eof true auto.offset.reset earliest"
           " reconnect.backoff.ms 10 reconnect.backoff.max.ms 100";
}

void BaselineMasterCallbacks(const char *m) {
    Try(std::string(m) + " logger callback ::fuzz_ok");
    Try(std::string(m) + " set_delivery_report_callback ::fuzz_ok");
    Try(std::string(m) + " set_error_callback ::fuzz_ok");
    Try(std::string(m) + " set_statistics_callback ::fuzz_ok");
    Try(std::string(m) + " delivery_report every 1");
    Try(std::string(m) + " decode binary");
}

void EnsureObjects() {
    CreateMock();
    if (!Exists("::fz_master")) {
        Must("::kafka::kafka create ::fz_master");
        Must("::fz_master config " + MasterSettings());
        BaselineMasterCallbacks("::fz_master");
    }
    if (!Exists("::fz_producer")) Must("::fz_master create_producer ::fz_producer");
    if (!Exists("::fz_ptopic")) Must("::fz_producer new_topic ::fz_ptopic fuzz");
    if (!Exists("::fz_gmaster")) {
        Must("::kafka::kafka create ::fz_gmaster");
        // socket.timeout.ms back to its default (60 s): the mock holds a
        // SyncGroup until the departed members' sessions time out, and
        // asserts (rd_kafka_mock_cgrp_member_sync_set) if it is sent again.
        Must("::fz_gmaster config " + MasterSettings() + " bootstrap.servers " + groupBootstrap +
             " group.id fuzzgroup socket.timeout.ms 60000 session.timeout.ms 6000 heartbeat.interval.ms 500");
        BaselineMasterCallbacks("::fz_gmaster");
    }
    if (!Exists("::fz_consumer")) { // joins its group in the background: rebalances
        Must("::fz_gmaster create_consumer ::fz_consumer");
        Must("::fz_consumer rebalance_callback ::fuzz_ok");
        Must("::fz_consumer subscribe fuzz");
    }
    if (!Exists("::fz_simple")) {
        Must("::fz_master config group.id fuzzsimple");
        Must("::fz_master create_consumer ::fz_simple");
    }
    // Consumers an input creates form their own group: fz_consumer's group
    // has one member (librdkafka 2.0.2's mock coordinator asserts in
    // rd_kafka_mock_cgrp_member_sync_set now and then with several).
    Must("::fz_master config group.id fuzznew");
    if (!Exists("::fz_queue")) {
        Try("rename ::fz_ctopic {}"); // its partition 1 goes to the queue
        Must("::fz_simple create_queue ::fz_queue");
    }
    if (!Exists("::fz_ctopic")) {
        Must("::fz_simple new_topic ::fz_ctopic fuzz");
        Must("::fz_ctopic consume_start 0 beginning");
        Must("::fz_ctopic consume_start_queue 1 beginning ::fz_queue");
    }
    if (!Exists("::fz_offmaster")) {
        Must("::kafka::kafka create ::fz_offmaster");
        Must("::fz_offmaster config bootstrap.servers 127.0.0.1:1 message.timeout.ms 1000 socket.timeout.ms 1000 "
             "reconnect.backoff.ms 100 reconnect.backoff.max.ms 1000");
        BaselineMasterCallbacks("::fz_offmaster");
    }
    if (!Exists("::fz_offline")) Must("::fz_offmaster create_producer ::fz_offline");
    // No client uses it; kept across inputs (deleting a mock cluster can take a second).
    if (!Exists("::fz_smock")) Must("::kafka::mock create ::fz_smock");
}

// Messages for the consumers: keys, headers (repeated names, binary
// values), timestamps, empty and binary payloads.
void ProduceSeedMessages() {
    for (int p = 0; p < 3; p++) {
        Must("::fz_ptopic produce " + std::to_string(p) + " plain-" + std::to_string(p));
        Must("::fz_ptopic produce " + std::to_string(p) + " {} key-" + std::to_string(p));
        Must("::fz_ptopic produce -partition " + std::to_string(p) +
             " -key [binary format H* 00ff10] -headers [list a 1 a 2 bin [binary format H* 00c0ff] empty {}]"
             " -timestamp 1700000000000 -opaque {o p} [binary format H* 00e9c0800a]");
        Must("::fz_ptopic produce " + std::to_string(p) + " \"h\\u00e9 \\u4e2d\\u0000\" \\u00ff");
        Must("::fz_ptopic produce_batch " + std::to_string(p) + " {{a} {b k} {{} {}}}");
    }
    Must("::fz_producer flush 5000");
    // And some for the group consumer, on its own cluster.
    Must("::fz_gmaster create_producer ::fz_gproducer");
    Must("::fz_gproducer new_topic ::fz_gtopic fuzz");
    for (int p = 0; p < 3; p++)
        Must("::fz_gtopic produce -partition " + std::to_string(p) + " -key k -headers {h v} group-" + std::to_string(p));
    Must("::fz_gproducer flush 5000");
    Must("rename ::fz_gproducer {}");
}

void DeleteLongLived() {
    Try("catch {::fz_producer purge}");
    Try("foreach c {::fz_offmaster ::fz_gmaster ::fz_master ::fz_gmock ::fz_mock ::fz_smock} {catch {rename $c {}}}");
}

// ---------------------------------------------------------------------------
// Per-input state

struct InputState {
    std::vector<std::string> created; // objects the input created
    std::string lastMaster, lastHandle, lastTopic, lastQueue, lastMock;
    std::set<std::string> dirty;         // long-lived objects to recreate
    bool masterTouched = false, offmasterTouched = false;
    bool consumedSimple = false; // rewind fz_ctopic's partitions afterwards
    bool consumerTouched = false; // undo fz_consumer's callbacks and pauses
    std::vector<std::string> mockUndo;   // scripts undoing fz_mock faults
};
InputState state;

// The command name a target word stands for in this input ("" when none).
std::string NameOf(const std::string &word) {
    for (const Target &t : kTargets) {
        if (word != t.word) continue;
        if (t.fixedName) return t.fixedName;
        if (word == "nmaster") return state.lastMaster;
        if (word == "new") return state.lastHandle;
        if (word == "ntopic") return state.lastTopic;
        if (word == "nqueue") return state.lastQueue;
        if (word == "nmock") return state.lastMock;
    }
    return "";
}

// "$name" words stand for objects' command names.
std::string Alias(const std::string &word) {
    static const char *const names[] = {"master", "producer", "consumer", "simple", "offline", "ptopic", "ctopic",
                                        "queue",  "mock",     "new",      "ntopic", "nqueue"};
    if (word.size() < 2 || word[0] != '$') return "";
    for (const char *n : names)
        if (word.compare(1, std::string::npos, n) == 0) {
            std::string name = NameOf(n);
            return name.empty() ? "::fz_none" : name;
        }
    return "";
}

std::string SubstituteAliases(std::string s) {
    static const char *const names[] = {"$master", "$producer", "$consumer", "$simple", "$ptopic", "$ctopic",
                                        "$queue",  "$mock"};
    for (const char *n : names) {
        size_t at;
        while ((at = s.find(n)) != std::string::npos) s.replace(at, strlen(n), NameOf(n + 1));
    }
    return s;
}

int HexDigit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// Turns one input word into the Tcl value passed (see the header comment).
Tcl_Obj *Convert(Tcl_Obj *word, int depth = 0) {
    int len;
    const char *s = Tcl_GetStringFromObj(word, &len);
    std::string w(s, (size_t)len);
    std::string alias = Alias(w);
    if (!alias.empty()) return Tcl_NewStringObj(alias.c_str(), -1);
    if (len < 3 || w[0] != '@' || w[2] != ':' || depth > 4) return word;
    std::string rest = w.substr(3);
    switch (w[1]) {
    case 'x': {
        std::vector<unsigned char> bytes;
        for (size_t i = 0; i + 1 < rest.size(); i += 2) {
            int hi = HexDigit(rest[i]), lo = HexDigit(rest[i + 1]);
            if (hi < 0 || lo < 0) break;
            bytes.push_back((unsigned char)(hi * 16 + lo));
        }
        return Tcl_NewByteArrayObj(bytes.data(), (int)bytes.size());
    }
    case 'b': {
        Tcl_Obj *o = Tcl_NewStringObj(rest.c_str(), (int)rest.size());
        int n;
        Tcl_GetByteArrayFromObj(o, &n); // a byte array that keeps its string form
        return o;
    }
    case 'i': {
        Tcl_WideInt v;
        Tcl_Obj *o = Tcl_NewStringObj(rest.c_str(), (int)rest.size());
        if (Tcl_GetWideIntFromObj(NULL, o, &v) != TCL_OK) return o;
        Tcl_DecrRefCount(o);
        return Tcl_NewWideIntObj(v);
    }
    case 'l':
    case 'd': {
        Tcl_Obj *src = Tcl_NewStringObj(rest.c_str(), (int)rest.size());
        Tcl_IncrRefCount(src);
        int n;
        Tcl_Obj **e;
        Tcl_Obj *out = nullptr;
        if (Tcl_ListObjGetElements(NULL, src, &n, &e) == TCL_OK) {
            if (w[1] == 'l') {
                out = Tcl_NewListObj(0, NULL);
                for (int i = 0; i < n; i++) Tcl_ListObjAppendElement(NULL, out, Convert(e[i], depth + 1));
            } else {
                out = Tcl_NewDictObj();
                for (int i = 0; i + 1 < n; i += 2) Tcl_DictObjPut(NULL, out, Convert(e[i], depth + 1), Convert(e[i + 1], depth + 1));
            }
        } else {
            out = Tcl_NewStringObj(rest.c_str(), (int)rest.size());
        }
        Tcl_DecrRefCount(src);
        return out;
    }
    }
    return word;
}

Tcl_Obj *Script(Tcl_Obj *word) {
    const char *s = Tcl_GetString(word);
    unsigned h = 0;
    if (s[0] == '%' && s[1]) {
        h = (unsigned)strtoul(s + 1, nullptr, 10);
    } else {
        for (const char *p = s; *p; p++) h = h * 31 + (unsigned char)*p;
    }
    return Tcl_NewStringObj(SubstituteAliases(kScripts[h % kScriptCount]).c_str(), -1);
}

bool IsPrefixOf(const char *word, const char *option, size_t minLen = 2) {
    size_t n = strlen(word);
    return n >= minLen && n <= strlen(option) && !strncmp(word, option, n);
}

// A timeout word bounded to a few milliseconds (-1, forever, included).
Tcl_Obj *ClampTimeout(Tcl_Obj *word) {
    int v;
    if (Tcl_GetIntFromObj(NULL, word, &v) != TCL_OK || v < -1 || v <= kMaxTimeoutMs) return word;
    return Tcl_NewIntObj(v == -1 ? 0 : v % (kMaxTimeoutMs + 1));
}

// An integer word bounded to at most `max` (e.g. partitions of a mock topic).
Tcl_Obj *ClampInt(Tcl_Obj *word, int max) {
    int v;
    if (Tcl_GetIntFromObj(NULL, word, &v) != TCL_OK || v <= max) return word;
    return Tcl_NewIntObj(v % max + 1);
}

bool InList(const char *const *list, const char *key) {
    for (; *list; list++)
        if (!strcmp(*list, key)) return true;
    return false;
}

// A configuration key word that librdkafka knows but that is not safe to set
// becomes client.id (acks for topic configuration).
Tcl_Obj *SafeKey(Tcl_Obj *word, bool topic) {
    const char *key = Tcl_GetString(word);
    const char *replacement = topic ? "acks" : "client.id";
    if (InList(topic ? kSafeTopicKeys : kSafeGlobalKeys, key)) return word;
    if (strstr(key, "plugin") || strstr(key, "engine") || strstr(key, "kerberos") || strstr(key, "interceptor"))
        return Tcl_NewStringObj(replacement, -1);
    char errstr[256];
    rd_kafka_conf_res_t res;
    if (topic) {
        rd_kafka_topic_conf_t *c = rd_kafka_topic_conf_new();
        res = rd_kafka_topic_conf_set(c, key, "", errstr, sizeof errstr);
        rd_kafka_topic_conf_destroy(c);
    } else {
        rd_kafka_conf_t *c = rd_kafka_conf_new();
        res = rd_kafka_conf_set(c, key, "", errstr, sizeof errstr);
        rd_kafka_conf_destroy(c);
    }
    return res == RD_KAFKA_CONF_UNKNOWN ? word : Tcl_NewStringObj(replacement, -1);
}

// add_brokers: every address becomes a loopback one.
Tcl_Obj *SafeBrokers(Tcl_Obj *word) {
    int n;
    Tcl_Obj **e;
    if (Tcl_ListObjGetElements(NULL, word, &n, &e) != TCL_OK) return word; // not a list: rejected
    Tcl_Obj *out = Tcl_NewListObj(0, NULL);
    for (int i = 0; i < n; i++) {
        std::string element = Tcl_GetString(e[i]), safe;
        size_t start = 0;
        while (true) {
            size_t comma = element.find(',', start);
            std::string piece = element.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
            bool ok = piece.empty();
            std::string rest = piece.compare(0, 12, "PLAINTEXT://") == 0 ? piece.substr(12) : piece;
            if (rest.compare(0, 10, "127.0.0.1:") == 0) {
                ok = rest.size() > 10 && rest.size() <= 15;
                for (size_t k = 10; k < rest.size(); k++) ok = ok && rest[k] >= '0' && rest[k] <= '9';
            }
            safe += ok ? piece : bootstrap.substr(0, bootstrap.find(','));
            if (comma == std::string::npos) break;
            safe += ",";
            start = comma + 1;
        }
        Tcl_ListObjAppendElement(NULL, out, Tcl_NewStringObj(safe.c_str(), -1));
    }
    return out;
}

// ---------------------------------------------------------------------------
// One call

// One call: its words, each holding a reference.
struct Call {
    std::string name;      // command name
    Kind kind = K_KAFKA;
    std::string method;    // resolved method ("" when the word is not one)
    std::vector<Tcl_Obj *> objv;
    bool script = false;   // a fixed script was passed
    bool deletes = false;  // may delete objects
    bool create = false;   // creates an object on success

    Call() = default;
    Call(const Call &) = delete;
    Call &operator=(const Call &) = delete;
    ~Call() {
        for (Tcl_Obj *o : objv) Tcl_DecrRefCount(o);
    }
    void Push(Tcl_Obj *o) {
        Tcl_IncrRefCount(o);
        objv.push_back(o);
    }
    void Insert(size_t i, Tcl_Obj *o) {
        Tcl_IncrRefCount(o);
        objv.insert(objv.begin() + (long)i, o);
    }
    void Set(size_t i, Tcl_Obj *o) {
        Tcl_IncrRefCount(o);
        Tcl_DecrRefCount(objv[i]);
        objv[i] = o;
    }
};

bool Prepare(Call &c);
kafkatcl::Object *ObjectOf(const std::string &name);

// The entry of a NULL-terminated table that word names (unique prefixes
// too, as the objects resolve it), or "".
std::string Resolve(Tcl_Obj *word, const char *const *table) {
    Tcl_Obj *dup = Tcl_DuplicateObj(word); // leaves the word's own representation alone
    Tcl_IncrRefCount(dup);
    int index;
    std::string found = Tcl_GetIndexFromObj(NULL, dup, table, "", 0, &index) == TCL_OK ? table[index] : "";
    Tcl_DecrRefCount(dup);
    return found;
}

// A topic's "creator method ?arg ...?" is that method of the topic's handle:
// the handle's rules apply to its words. The call still goes through the
// topic unless the rules redirect it to another handle.
bool PrepareCreator(Call &c) {
    kafkatcl::Object *o = ObjectOf(c.name);
    auto *h = o ? dynamic_cast<kafkatcl::Handle *>(o->Parent()) : nullptr;
    if (!h || c.objv.size() < 3) return true; // the topic's own wrong # args
    Call sub;
    Tcl_Obj *handleName = h->NameObj();
    sub.name = Tcl_GetString(handleName);
    sub.kind = h->IsProducer() ? K_PRODUCER : K_CONSUMER;
    sub.Push(handleName);
    for (size_t i = 2; i < c.objv.size(); i++) sub.Push(c.objv[i]);
    sub.method = Resolve(sub.objv[1], MethodTable(sub.kind));
    if (!Prepare(sub)) return false;
    bool redirected = sub.name != Tcl_GetString(sub.objv[0]);
    std::vector<Tcl_Obj *> words;
    if (!redirected) words = {c.objv[0], c.objv[1]};
    words.insert(words.end(), sub.objv.begin() + (redirected ? 0 : 1), sub.objv.end());
    for (Tcl_Obj *w : words) Tcl_IncrRefCount(w);
    for (Tcl_Obj *w : c.objv) Tcl_DecrRefCount(w);
    c.objv = words;
    if (redirected) c.name = sub.name;
    c.kind = sub.kind; // for what RunCall records of a creation
    c.method = sub.method;
    c.script = c.script || sub.script;
    c.deletes = c.deletes || sub.deletes;
    c.create = sub.create;
    return true;
}

// A topic's info: its metadata requests get a short -timeout.
void PrepareInfo(Call &c) {
    size_t nargs = c.objv.size() - 2;
    if (c.method != "info" || nargs < 1) return;
    std::string type = Resolve(c.objv[2], kafkatcl::Topic::InfoTypes());
    if (type != "partitions" && type != "consistent_partition") return;
    if (nargs >= 3 && !strcmp(Tcl_GetString(c.objv[c.objv.size() - 2]), "-timeout")) {
        c.Set(c.objv.size() - 1, ClampTimeout(c.objv.back()));
    } else {
        c.Push(Tcl_NewStringObj("-timeout", -1));
        c.Push(Tcl_NewIntObj(kMaxTimeoutMs));
    }
}

// produce_batch ?-timeout ms?: waits that long while the producer queue is
// full (-1: without limit): bounded like the other timeouts, forever too.
void PreparePTopic(Call &c, size_t nargs) {
    if (c.method != "produce_batch") return;
    for (size_t i = 2; i + 1 < nargs; i++) {
        if (!IsPrefixOf(Tcl_GetString(c.objv[2 + i]), "-timeout")) continue;
        int v;
        bool forever = Tcl_GetIntFromObj(NULL, c.objv[3 + i], &v) == TCL_OK && v == -1;
        c.Set(3 + i, forever ? Tcl_NewIntObj(kMaxTimeoutMs) : ClampTimeout(c.objv[3 + i]));
    }
}

// Script, ClampTimeout, ... on argument i (objv[2 + i]) of a call.
void ScriptArg(Call &c, size_t i) {
    c.Set(2 + i, Script(c.objv[2 + i]));
    c.script = true;
}
void ClampTimeoutArg(Call &c, size_t i) { c.Set(2 + i, ClampTimeout(c.objv[2 + i])); }
void AppendTimeout(Call &c) {
    c.Push(Tcl_NewStringObj("-timeout", -1));
    c.Push(Tcl_NewIntObj(kMaxTimeoutMs));
}

void PrepareMaster(Call &c, size_t nargs) {
    const std::string &m = c.method;
    if ((m == "config" || m == "topic_config") && nargs >= 2) {
        if (c.name == "::fz_master" || c.name == "::fz_offmaster") c.name = "::fz_scratch"; // keep those fixed
        for (size_t i = 0; i < nargs; i += 2) c.Set(2 + i, SafeKey(c.objv[2 + i], m == "topic_config"));
    }
    if (m == "create_producer" || m == "producer_creator" || m == "create_consumer" || m == "consumer_creator" ||
        m == "subscriber")
        c.create = true;
    if (((m.rfind("set_", 0) == 0 && m != "set_socket_callback") || m == "error_callback" ||
         m == "statistics_callback") && nargs >= 1)
        ScriptArg(c, 0);
    if (m == "delivery_report" && nargs >= 2 && IsPrefixOf(Tcl_GetString(c.objv[2]), "callback")) ScriptArg(c, 1);
    if (m == "logger" && nargs >= 2) ScriptArg(c, 1);
    if (c.name == "::fz_master") state.masterTouched = true;
    if (c.name == "::fz_offmaster") state.offmasterTouched = true;
}

// False: skip the call.
bool PrepareSubscriber(Call &c, size_t nargs) {
    const std::string &m = c.method;
    // meta refresh|print waits up to a fixed 5 s for metadata (fz_mock
    // may have faults injected): skipped.
    if (m == "meta") return false;
    if (m == "config" && nargs >= 2)
        for (size_t i = 0; i < nargs; i += 2) c.Set(2 + i, SafeKey(c.objv[2 + i], false));
    if (m == "consume" && nargs >= 1) ClampTimeoutArg(c, 0);
    if (m == "callback" && nargs >= 1) {
        if (nargs == 2) ClampTimeoutArg(c, 0);
        ScriptArg(c, nargs - 1);
    }
    if (m == "offsets" || m == "watermarks" || m == "info") { // -timeout: leading options (info: trailing)
        bool given = false;
        for (size_t i = 0; i + 1 < nargs; i++)
            if (IsPrefixOf(Tcl_GetString(c.objv[2 + i]), "-timeout")) {
                ClampTimeoutArg(c, i + 1);
                given = true;
            }
        if (!given && m == "info") AppendTimeout(c);
        if (!given && m != "info") {
            c.Insert(2, Tcl_NewIntObj(kMaxTimeoutMs));
            c.Insert(2, Tcl_NewStringObj("-timeout", -1));
        }
    }
    return true;
}

// A handle's timeouts and scripts (the arguments in fixed positions).
void PrepareHandleArgs(Call &c, size_t nargs) {
    const std::string &m = c.method;
    bool consumer = c.kind == K_CONSUMER;
    if (m == "config" && nargs >= 2)
        for (size_t i = 0; i < nargs; i += 2) c.Set(2 + i, SafeKey(c.objv[2 + i], true));
    if (m == "add_brokers" && nargs >= 1) c.Set(2, SafeBrokers(c.objv[2]));
    if (m == "flush" || m == "init_transactions" || m == "commit_transaction" || m == "abort_transaction") {
        if (nargs == 0) c.Push(Tcl_NewIntObj(5));
        else ClampTimeoutArg(c, 0);
    }
    if (m == "poll" && nargs >= 1) ClampTimeoutArg(c, 0);
    if (consumer && (m == "consume" || m == "consume_batch") && nargs >= 1) ClampTimeoutArg(c, 0);
    if (consumer && m == "consume_batch" && nargs >= 4) ScriptArg(c, 3);
    if (consumer && m == "consume_callback") {
        if (nargs == 2) ClampTimeoutArg(c, 0);
        if (nargs >= 1) ScriptArg(c, nargs - 1);
    }
    if (m == "rebalance_callback" && nargs >= 1) ScriptArg(c, 0);
}

// The methods with a -timeout option (default 5 or 30 s): it must end up
// where the method reads it, small; an admin call's -command is a fixed script.
void PrepareHandleOptions(Call &c, size_t nargs, bool admin) {
    const std::string &m = c.method;
    if (m == "query_watermark_offsets") { // topic partition ?-timeout ms?
        if (nargs == 2) AppendTimeout(c);
        else if (nargs == 4) ClampTimeoutArg(c, 3);
        return;
    }
    if (m == "offsets_for_times") { // partitions ?-timeout ms?
        if (nargs == 1) AppendTimeout(c);
        else if (nargs == 3) ClampTimeoutArg(c, 2);
        return;
    }
    bool lag = m == "lag"; // options anywhere and -command, as the admin calls
    if (!(admin || lag || m == "info" || m == "meta" || m == "committed" || m == "seek" ||
          m == "send_offsets_to_transaction"))
        return;
    // Options anywhere (admin, the last one wins) or a trailing pair.
    for (size_t i = 0; i < nargs; i++) {
        const char *w = Tcl_GetString(c.objv[2 + i]);
        if (IsPrefixOf(w, "-timeout") && i + 1 < nargs) ClampTimeoutArg(c, i + 1);
        else if ((admin || lag) && IsPrefixOf(w, "-command") && i + 1 < nargs) ScriptArg(c, i + 1);
    }
    if (!(nargs >= 2 && IsPrefixOf(Tcl_GetString(c.objv[nargs]), "-timeout"))) AppendTimeout(c);
}

// What changes a long-lived handle's state beyond this input.
void NoteHandleChanges(Call &c, size_t nargs, bool admin) {
    const std::string &m = c.method;
    if (c.name != "::fz_consumer" && c.name != "::fz_simple" && c.name != "::fz_producer" && c.name != "::fz_offline")
        return;
    static const char *const readOnly[] = {"name", "output_queue_length", "info", "meta", "flush", "get_watermark_offsets",
                                           "query_watermark_offsets", "offsets_for_times", "subscription",
                                           "assignment", "committed", "position", "lag", "list_groups",
                                           "describe_configs", "describe_acls", "poll", "consume", "new_topic",
                                           "create_queue", NULL};
    bool config = m == "config" && nargs < 2;
    // fz_consumer is slow to recreate (leaving its group waits on the
    // mock): only membership changes do; the rest is undone in Restore.
    static const char *const membership[] = {"subscribe", "unsubscribe", "assign", "incremental_assign",
                                             "incremental_unassign", "close", "add_brokers", "delete", NULL};
    if (c.name == "::fz_consumer" && !InList(membership, m.c_str())) {
        if (!m.empty()) state.consumerTouched = true;
    } else if (!InList(readOnly, m.c_str()) && !admin && m != "purge" && !config && !m.empty()) {
        state.dirty.insert(c.name);
    }
    if (c.name == "::fz_simple" && state.dirty.count(c.name)) state.dirty.insert("::fz_ctopic");
}

void PrepareHandle(Call &c, size_t nargs) {
    const std::string m = c.method;
    if (m == "new_topic" || m == "create_queue") c.create = true;
    PrepareHandleArgs(c, nargs);
    bool admin = InList(kafkatcl::kAdminMethods, m.c_str());
    if (admin && kafkatcl::AdminRefusedOnMock(m.c_str())) {
        // librdkafka 2.0.2's mock cluster never answers these, and then
        // cannot destroy the handle: ask a handle with no reachable broker.
        c.name = "::fz_offline";
        c.kind = K_PRODUCER;
    }
    PrepareHandleOptions(c, nargs, admin);
    NoteHandleChanges(c, nargs, admin);
}

void PrepareCTopic(Call &c, size_t nargs) {
    const std::string &m = c.method;
    PrepareInfo(c);
    if ((m == "start" || m == "consume_start") && nargs == 3) ScriptArg(c, 2);
    if ((m == "consume" || m == "consume_batch") && nargs >= 2) ClampTimeoutArg(c, 1);
    if (m == "consume_batch" && nargs >= 5) ScriptArg(c, 4);
    if (m == "consume_callback") {
        if (nargs == 3) ClampTimeoutArg(c, 1);
        if (nargs >= 2) ScriptArg(c, nargs - 1);
    }
    if (c.name == "::fz_ctopic" && m.compare(0, 7, "consume") == 0) state.consumedSimple = true;
    if (c.name == "::fz_ctopic" && (m == "consume_start" || m == "consume_start_queue" || m == "consume_stop" ||
                                    m == "start" || m == "start_queue" || m == "stop" ||
                                    m == "consume_callback" || m.empty()))
        state.dirty.insert(c.name);
}

void PrepareQueue(Call &c, size_t nargs) {
    const std::string &m = c.method;
    if (c.name == "::fz_queue") state.consumedSimple = true;
    if ((m == "consume" || m == "consume_batch") && nargs >= 1) ClampTimeoutArg(c, 0);
    if (m == "consume_batch" && nargs >= 4) ScriptArg(c, 3);
    if (m == "consume_callback") {
        if (nargs == 2) ClampTimeoutArg(c, 0);
        if (nargs >= 1) ScriptArg(c, nargs - 1);
        if (c.name == "::fz_queue") state.dirty.insert(c.name);
    }
}

// Bounded sizes, and the undo of every fault injected into fz_mock.
void PrepareMock(Call &c, size_t nargs) {
    const std::string &m = c.method;
    if (c.name == "::fz_mock" && m == "delete") c.name = "::fz_smock"; // the clients' cluster stays
    if (m == "create_topic") {
        int v; // over 100000 is refused: let those through
        if (nargs >= 2 && (Tcl_GetIntFromObj(NULL, c.objv[3], &v) != TCL_OK || v <= 100000)) c.Set(3, ClampInt(c.objv[3], 16));
        if (nargs >= 3) c.Set(4, ClampInt(c.objv[4], 3));
    }
    if (m == "rtt" && nargs >= 2) ClampTimeoutArg(c, 1);
    if (c.name != "::fz_mock" || nargs < 1) return;
    std::string a0 = Tcl_GetString(c.objv[2]);
    if (m == "topic_error") state.mockUndo.push_back("::fz_mock topic_error {" + a0 + "} 0");
    if (m == "leader" && nargs >= 2)
        state.mockUndo.push_back("::fz_mock leader {" + a0 + "} {" + Tcl_GetString(c.objv[3]) + "} 1");
    if (m == "push_errors") state.mockUndo.push_back("::fz_mock clear_errors {" + a0 + "}");
    if (m == "broker_down") state.mockUndo.push_back("::fz_mock broker_up {" + a0 + "}");
    if (m == "rtt") state.mockUndo.push_back("::fz_mock rtt {" + a0 + "} 0");
}

// Applies the per-method rules: timeouts clamped or added, scripts replaced,
// unsafe values rewritten, hanging calls redirected. False: skip the call.
bool Prepare(Call &c) {
    // objv[0] command, objv[1] method, objv[2..] the arguments
    if (c.objv.size() < 2) return true; // the object's own wrong # args
    size_t nargs = c.objv.size() - 2;
    if (c.method == "delete") c.deletes = true;
    switch (c.kind) {
    case K_KAFKA: c.create = c.method == "create"; break;
    case K_MOCKCMD:
        c.create = true;
        for (size_t i = 1; i + 1 < nargs; i++)
            if (IsPrefixOf(Tcl_GetString(c.objv[2 + i]), "-brokers")) c.Set(3 + i, ClampInt(c.objv[3 + i], 4));
        break;
    case K_MASTER: PrepareMaster(c, nargs); break;
    case K_SUBSCRIBER:
        if (!PrepareSubscriber(c, nargs)) return false;
        break;
    case K_PRODUCER:
    case K_CONSUMER: PrepareHandle(c, nargs); break;
    case K_PTOPIC:
        if (c.method == "creator") return PrepareCreator(c); // c is now a handle's call
        PrepareInfo(c);
        PreparePTopic(c, nargs);
        break;
    case K_CTOPIC:
        if (c.method == "creator") return PrepareCreator(c);
        PrepareCTopic(c, nargs);
        break;
    case K_QUEUE: PrepareQueue(c, nargs); break;
    case K_MOCK: PrepareMock(c, nargs); break;
    }
    if ((c.deletes && c.name == "::fz_master") || c.script) state.masterTouched = true;
    return true;
}

const Target &TargetOf(const std::string &word) {
    for (const Target &t : kTargets)
        if (word == t.word) return t;
    unsigned h = 0;
    for (unsigned char ch : word) h = h * 131 + ch;
    return kTargets[h % kTargetCount];
}

// Makes sure the per-input objects a call needs exist.
std::string Materialize(const std::string &name) {
    if (name == "::fz_scratch" && !Exists(name)) {
        Must("::kafka::kafka create ::fz_scratch");
        Must("::fz_scratch config " + MasterSettings());
        BaselineMasterCallbacks("::fz_scratch");
    } else if (name == "::fz_smock" && !Exists(name)) {
        Must("::kafka::mock create ::fz_smock");
    }
    return name;
}

kafkatcl::Object *ObjectOf(const std::string &name) {
    Tcl_Obj *o = Tcl_NewStringObj(name.c_str(), -1);
    Tcl_IncrRefCount(o);
    kafkatcl::Object *object = kafkatcl::Object::FromCommand(interp, o);
    Tcl_DecrRefCount(o);
    return object;
}

std::string ErrorCodeOf(int code) {
    Tcl_Obj *opts = Tcl_GetReturnOptions(interp, code);
    Tcl_IncrRefCount(opts);
    Tcl_Obj *key = Tcl_NewStringObj("-errorcode", -1), *ec = nullptr;
    Tcl_IncrRefCount(key);
    Tcl_DictObjGet(NULL, opts, key, &ec);
    std::string s = ec ? Tcl_GetString(ec) : "";
    Tcl_DecrRefCount(key);
    Tcl_DecrRefCount(opts);
    return s;
}

std::string Describe(const Call &c) {
    std::string s;
    for (Tcl_Obj *o : c.objv) {
        Tcl_Obj *l = Tcl_NewListObj(1, &o);
        Tcl_IncrRefCount(l);
        s += (s.empty() ? "" : " ") + std::string(Tcl_GetString(l));
        Tcl_DecrRefCount(l);
    }
    return s.size() > 600 ? s.substr(0, 600) + "..." : s;
}

void CheckResult(const Call &c, int code) {
    std::string result = Tcl_GetStringResult(interp);
    if (code == TCL_ERROR) {
        std::string ec = ErrorCodeOf(code);
        Tcl_Obj *ecObj = Tcl_NewStringObj(ec.c_str(), -1);
        Tcl_IncrRefCount(ecObj);
        int n = 0;
        Tcl_Obj **e = nullptr;
        bool isList = Tcl_ListObjGetElements(NULL, ecObj, &n, &e) == TCL_OK;
        std::string first = isList && n > 0 ? Tcl_GetString(e[0]) : "";
        bool ok;
        if (first == "KAFKA") {
            ok = (n == 3 || n == 4) && *Tcl_GetString(e[1]) && result == Tcl_GetString(e[2]);
        } else {
            // Only the fixed scripts raise other errors (documented: errors of
            // the user's own scripts propagate unchanged).
            ok = c.script && (first == "FUZZ" || first == "TCL");
        }
        Tcl_DecrRefCount(ecObj);
        if (!ok) Fail("error without a proper KAFKA errorCode\n  call: " + Describe(c) + "\n  result: " + result +
                      "\n  errorCode: " + ec);
    } else if (code == TCL_OK && c.create) {
        if (!Exists(result) && !c.script)
            Fail("create returned \"" + result + "\", which is not a command\n  call: " + Describe(c));
    }
}

void RunCall(Call &c) {
    for (Tcl_Obj *o : c.objv) Tcl_IncrRefCount(o);
    if (verbose) fprintf(stderr, "fuzz> %s\n", Describe(c).c_str());
    ResetLimits();
    double start = NowMs();
    int code = Tcl_EvalObjv(interp, (int)c.objv.size(), c.objv.data(), TCL_EVAL_GLOBAL);
    if (slowMs > 0 && NowMs() - start > slowMs) fprintf(stderr, "fuzz: slow call (%.0f ms): %s\n", NowMs() - start, Describe(c).c_str());
    if (verbose) fprintf(stderr, "  -> %d %s\n", code, Tcl_GetStringResult(interp));
    CheckResult(c, code);
    if (code == TCL_OK && c.create) {
        std::string name = Tcl_GetStringResult(interp);
        state.created.push_back(name);
        if (c.kind == K_KAFKA) state.lastMaster = name;
        else if (c.kind == K_MOCKCMD) state.lastMock = name;
        else if (c.kind == K_MASTER) state.lastHandle = name;
        else if (c.method == "new_topic") state.lastTopic = name;
        else state.lastQueue = name;
        if (c.kind == K_KAFKA) { // bounded delete, quiet
            Try(name + " config message.timeout.ms 1000");
            BaselineMasterCallbacks(name.c_str());
        }
    }
    for (Tcl_Obj *o : c.objv) Tcl_DecrRefCount(o);
    Tcl_ResetResult(interp);

    // The interp still works, and what should exist does.
    ResetLimits();
    if (Tcl_InterpDeleted(interp) || Tcl_EvalEx(interp, "expr {1+1}", -1, TCL_EVAL_GLOBAL) != TCL_OK ||
        strcmp(Tcl_GetStringResult(interp), "2"))
        Fail("the interp no longer works after: " + Describe(c));
    Tcl_ResetResult(interp);
    // A fixed script that deletes objects may have run, in this call or
    // from the event loop since the last check (::fuzz_eval sets the flag).
    const char *ran = Tcl_GetVar(interp, "::fuzz_ran", TCL_GLOBAL_ONLY);
    if (!c.deletes && !(ran && strcmp(ran, "0"))) {
        for (const char *name : kLongLived)
            if (!Exists(name)) Fail(std::string(name) + " vanished after: " + Describe(c));
    }
    Tcl_SetVar(interp, "::fuzz_ran", "0", TCL_GLOBAL_ONLY);
    ServeEvents();
}

// Builds the call of one input line, or returns false to skip it.
bool ParseLine(const std::string &line, Call *c) {
    Tcl_DString ds;
    Tcl_DStringInit(&ds);
    static Tcl_Encoding utf8 = Tcl_GetEncoding(NULL, "utf-8");
    Tcl_ExternalToUtfDString(utf8, line.data(), (int)line.size(), &ds);
    Tcl_Obj *lineObj = Tcl_NewStringObj(Tcl_DStringValue(&ds), Tcl_DStringLength(&ds));
    Tcl_DStringFree(&ds);
    Tcl_IncrRefCount(lineObj);
    Call words; // just a holder of references
    int n;
    Tcl_Obj **e;
    if (Tcl_ListObjGetElements(NULL, lineObj, &n, &e) == TCL_OK) {
        for (int i = 0; i < n; i++) words.Push(e[i]);
    } else { // not a list: target, method, and the rest as one raw argument
        std::string s = Tcl_GetString(lineObj);
        size_t a = s.find(' '), b = a == std::string::npos ? a : s.find(' ', a + 1);
        words.Push(Tcl_NewStringObj(s.substr(0, a).c_str(), -1));
        if (a != std::string::npos)
            words.Push(Tcl_NewStringObj(s.substr(a + 1, b == std::string::npos ? b : b - a - 1).c_str(), -1));
        if (b != std::string::npos) words.Push(Tcl_NewStringObj(s.substr(b + 1).c_str(), -1));
    }
    Tcl_DecrRefCount(lineObj);
    if (words.objv.empty()) return false;
    const Target &t = TargetOf(Tcl_GetString(words.objv[0]));
    std::string name = Materialize(t.fixedName ? t.fixedName : NameOf(t.word));
    if (name.empty() || !Exists(name)) return false;
    // "new" and "ntopic" take the kind of the object they name.
    Kind kind = t.kind;
    kafkatcl::Object *o = ObjectOf(name);
    if (auto *h = dynamic_cast<kafkatcl::Handle *>(o)) kind = h->IsProducer() ? K_PRODUCER : K_CONSUMER;
    if (dynamic_cast<kafkatcl::Subscriber *>(o)) kind = K_SUBSCRIBER;
    if (o && kind == K_PTOPIC) {
        auto *h = dynamic_cast<kafkatcl::Handle *>(o->Parent());
        if (h && !h->IsProducer()) kind = K_CTOPIC;
    }
    c->name = name;
    c->kind = kind;
    c->Push(Tcl_NewStringObj(name.c_str(), -1));
    if (words.objv.size() >= 2) {
        Tcl_Obj *method = Tcl_DuplicateObj(words.objv[1]);
        Tcl_IncrRefCount(method);
        int index;
        if (Tcl_GetIndexFromObj(NULL, method, MethodTable(kind), "", 0, &index) == TCL_OK) c->method = MethodTable(kind)[index];
        Tcl_DecrRefCount(method);
        c->Push(words.objv[1]);
        for (size_t i = 2; i < words.objv.size(); i++) c->Push(Convert(words.objv[i]));
    }
    if (!Prepare(*c)) return false;
    if (c->name != name) { // redirected
        Materialize(c->name);
        c->Set(0, Tcl_NewStringObj(c->name.c_str(), -1));
    }
    return Exists(c->name);
}

// Puts everything back as it was before the input.
// Deletes a command; reports it when slow (FUZZ_SLOW_MS).
void Delete(const std::string &name) {
    double start = NowMs();
    Tcl_DeleteCommand(interp, name.c_str());
    if (slowMs > 0 && NowMs() - start > slowMs) fprintf(stderr, "fuzz: slow delete (%.0f ms): %s\n", NowMs() - start, name.c_str());
}

void Restore() {
    // Objects the input made (children first is not needed: deleting a
    // parent deletes its children, and deleted names are skipped).
    for (auto it = state.created.rbegin(); it != state.created.rend(); ++it) {
        if (!Exists(*it)) continue;
        kafkatcl::Object *o = ObjectOf(*it);
        if (auto *h = dynamic_cast<kafkatcl::Handle *>(o))
            if (h->IsProducer()) Try(*it + " purge"); // deleting it then waits for nothing
        Delete(*it);
    }
    if (Exists("::fz_scratch")) Delete("::fz_scratch");
    // Anything else new (a name the input gave in a new namespace, say).
    for (const std::string &ns : ListOf("namespace children ::"))
        if (!baselineNamespaces.count(ns)) Try("namespace delete {" + ns + "}");
    for (const std::string &cmd : ListOf("info commands ::*"))
        if (!baselineCommands.count(cmd)) Delete(cmd);
    for (const std::string &var : ListOf("info globals"))
        if (!baselineGlobals.count(var)) Try("unset -nocomplain {::" + var + "}");

    if (Exists("::fz_mock"))
        for (const std::string &undo : state.mockUndo) Try(undo);
    for (const std::string &name : state.dirty) {
        if (!Exists(name)) continue;
        if (auto *h = dynamic_cast<kafkatcl::Handle *>(ObjectOf(name)))
            if (h->IsProducer()) Try(name + " purge"); // deleting it flushes up to 10 s otherwise
        Delete(name);
    }
    if (state.masterTouched && Exists("::fz_master")) {
        BaselineMasterCallbacks("::fz_master");
        Try("::fz_master partitioner consistent_random");
    }
    if (state.offmasterTouched && Exists("::fz_offmaster")) {
        BaselineMasterCallbacks("::fz_offmaster");
        Try("::fz_offmaster partitioner consistent_random");
    }
    if (state.consumerTouched && Exists("::fz_consumer") && !state.dirty.count("::fz_consumer")) {
        Try("::fz_consumer consume_callback {}");
        Try("::fz_consumer rebalance_callback ::fuzz_ok");
        Try("::fz_consumer log_level info");
        Try("::fz_consumer resume [::fz_consumer assignment]");
    }
    // Consumed messages come again next time (asynchronous seeks).
    if (state.consumedSimple && Exists("::fz_ctopic") && !state.dirty.count("::fz_ctopic"))
        if (auto *t = dynamic_cast<kafkatcl::Topic *>(ObjectOf("::fz_ctopic")))
            for (int32_t p : {0, 1}) rd_kafka_seek(t->Rkt(), p, RD_KAFKA_OFFSET_BEGINNING, 0);
    ServeEvents(); // callbacks may still delete things: before recreating them
    EnsureObjects();
    state = InputState();
}

void RemovePerInputObjects() {
    for (const char *n : {"::fz_scratch"})
        if (Exists(n)) Tcl_DeleteCommand(interp, n);
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int *argc, char ***argv) {
    verbose = getenv("FUZZ_VERBOSE") != nullptr;
    if (const char *slow = getenv("FUZZ_SLOW_MS")) slowMs = atof(slow);
    if (const char *every = getenv("FUZZ_RESET_EVERY")) fullResetEvery = strtoul(every, nullptr, 10) ? strtoul(every, nullptr, 10) : 2000;
    Tcl_FindExecutable((*argc > 0) ? (*argv)[0] : nullptr);
    interp = Tcl_CreateInterp();
    Tcl_CreateObjCommand(interp, "::kafka::kafka", kafkatcl::KafkaCmd, NULL, NULL);
    Tcl_CreateObjCommand(interp, "::kafka::mock", kafkatcl::MockCmd, NULL, NULL);
    Must("proc ::fuzz_ok args {}\n"
         "proc ::fuzz_err args {return -code error -errorcode {FUZZ SCRIPT} {fuzz script error}}\n"
         "proc ::fuzz_break args {return -code break}\n"
         "proc ::fuzz_continue args {return -code continue}\n"
         "proc ::fuzz_return args {return -code return}\n"
         "proc ::fuzz_code7 args {return -code 7}\n"
         "proc ::fuzz_eval {script args} {set ::fuzz_ran 1; uplevel #0 $script}\n"
         "set ::fuzz_ran 0\n"
         "proc ::bgerror args {}\n");
    if (Tcl_MakeSafe(interp) != TCL_OK) Must("error {cannot make the interp safe}");
    Tcl_LimitTypeSet(interp, TCL_LIMIT_TIME);
    ResetLimits();
    EnsureObjects();
    ProduceSeedMessages();
    ServeEvents();
    baselineCommands = ListOf("info commands ::*");
    baselineGlobals = ListOf("info globals");
    baselineNamespaces = ListOf("namespace children ::");
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (++inputs % fullResetEvery == 0) { // mock topics and messages pile up: start afresh
        RemovePerInputObjects();
        DeleteLongLived();
        ServeEvents();
        EnsureObjects();
        ProduceSeedMessages();
    }
    std::string text(reinterpret_cast<const char *>(data), size);
    size_t start = 0;
    for (int line = 0; line < kMaxLines && start <= text.size(); line++) {
        size_t nl = text.find('\n', start);
        std::string one = text.substr(start, nl == std::string::npos ? std::string::npos : nl - start);
        start = nl == std::string::npos ? text.size() + 1 : nl + 1;
        if (one.empty()) continue;
        Call c;
        if (ParseLine(one, &c)) RunCall(c);
        EnsureObjects(); // what a call deleted, the next one may use
    }
    double began = NowMs();
    Restore();
    if (slowMs > 0 && NowMs() - began > slowMs) fprintf(stderr, "fuzz: slow restore (%.0f ms)\n", NowMs() - began);
    return 0;
}
