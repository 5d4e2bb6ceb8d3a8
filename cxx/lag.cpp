// lag.cpp -- `$consumer lag ?topicList? ?-timeout ms? ?-command cmd|-await?`:
// per partition, the consumer's group's committed offset, the partition's
// watermarks and the lag (high watermark - committed), and their total.
//
// Why a worker thread for -command/-await: librdkafka 2.0.2 has no
// asynchronous call for a group's committed offsets or for watermarks
// (ListOffsets came in 2.3; the group admin calls hang on the mock cluster,
// see RefuseOnMock in admin.cpp). So the asynchronous forms run the same
// blocking, time-bounded calls (rd_kafka_committed, rd_kafka_metadata,
// rd_kafka_query_watermark_offsets: thread-safe) on a std::thread that only
// fills plain C++ data and then signals a Wakeup; the result becomes Tcl
// values in the handle's thread. The handle joins its workers before it
// destroys its rd_kafka_t (Handle::~Handle clears lagJobs_ first).
#include "lag.h"

#include "handle.h"
#include "method.h"
#include "options.h"

#include <algorithm>
#include <chrono>

namespace kafkatcl {

namespace {

using Clock = std::chrono::steady_clock;

int RemainingMs(Clock::time_point deadline) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    return left > 0 ? (int)left : 0;
}

// The partitions of `topic`, from the cluster's metadata.
rd_kafka_resp_err_t TopicPartitions(rd_kafka_t *rk, const std::string &topic, int timeoutMs,
                                    std::vector<LagRow> *rows) {
    TopicPtr t(rd_kafka_topic_new(rk, topic.c_str(), nullptr));
    if (!t) return rd_kafka_last_error();
    const rd_kafka_metadata_t *raw = nullptr;
    rd_kafka_resp_err_t err = rd_kafka_metadata(rk, 0, t.get(), &raw, timeoutMs);
    if (err) return err;
    MetadataPtr md(raw);
    if (md->topic_cnt != 1) return RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC;
    const rd_kafka_metadata_topic_t &mt = md->topics[0];
    if (mt.err) return mt.err;
    if (mt.partition_cnt == 0) return RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC;
    for (int i = 0; i < mt.partition_cnt; i++) rows->push_back({topic, mt.partitions[i].id});
    return RD_KAFKA_RESP_ERR_NO_ERROR;
}

// One row's lag: from the committed offset, or with none from the low watermark.
int64_t RowLag(const LagRow &row) {
    int64_t from = row.committed >= 0 ? row.committed : row.low;
    return row.high > from ? row.high - from : 0;
}

Tcl_Obj *RowObj(const LagRow &row) {
    bool ok = row.err == RD_KAFKA_RESP_ERR_NO_ERROR;
    auto offset = [ok](int64_t o) { return ok && o >= 0 ? Tcl_NewWideIntObj(o) : Tcl_NewObj(); };
    Tcl_Obj *d = Tcl_NewDictObj();
    DictPut(d, "topic", Tcl_NewStringObj(row.topic.c_str(), -1));
    DictPut(d, "partition", Tcl_NewIntObj(row.partition));
    DictPut(d, "committed", offset(row.committed));
    DictPut(d, "low", offset(row.low));
    DictPut(d, "high", offset(row.high));
    DictPut(d, "lag", ok ? Tcl_NewWideIntObj(RowLag(row)) : Tcl_NewObj());
    DictPut(d, "error", Tcl_NewStringObj(ok ? "" : rd_kafka_err2name(row.err), -1));
    return d;
}

} // namespace

void LagQuery::Run() {
    Clock::time_point deadline = Clock::now() + std::chrono::milliseconds(timeoutMs);
    for (const std::string &topic : topics) {
        err = TopicPartitions(rk, topic, RemainingMs(deadline), &rows);
        if (err) {
            message = "lag: topic \"" + topic + "\": " + rd_kafka_err2str(err); // unknown, or no answer in time
            return;
        }
    }
    PartitionListPtr list(rd_kafka_topic_partition_list_new((int)rows.size()));
    for (const LagRow &row : rows) rd_kafka_topic_partition_list_add(list.get(), row.topic.c_str(), row.partition);
    err = rd_kafka_committed(rk, list.get(), RemainingMs(deadline));
    if (err) {
        message = std::string("lag: the committed offsets could not be fetched: ") + rd_kafka_err2str(err);
        return;
    }
    for (size_t i = 0; i < rows.size(); i++) {
        LagRow &row = rows[i];
        const rd_kafka_topic_partition_t &tp = list->elems[i];
        row.committed = tp.offset;
        row.err = tp.err;
        if (!row.err) {
            row.err = rd_kafka_query_watermark_offsets(rk, row.topic.c_str(), row.partition, &row.low, &row.high,
                                                       RemainingMs(deadline));
        }
    }
}

Tcl_Obj *LagQuery::Result() const {
    Tcl_Obj *partitions = Tcl_NewListObj(0, nullptr);
    Tcl_WideInt total = 0;
    for (const LagRow &row : rows) {
        Tcl_ListObjAppendElement(nullptr, partitions, RowObj(row));
        if (!row.err) total += RowLag(row);
    }
    Tcl_Obj *d = Tcl_NewDictObj();
    DictPut(d, "total", Tcl_NewWideIntObj(total));
    DictPut(d, "partitions", partitions);
    return d;
}

int LagQuery::Report(Tcl_Interp *interp) const {
    if (err) return KafkaError(interp, err, message);
    Tcl_SetObjResult(interp, Result());
    return TCL_OK;
}

LagJob::LagJob(Handle *handle, LagQuery query, Tcl_Obj *command, std::shared_ptr<Await> await)
    : handle_(handle), query_(std::move(query)), command_(command),
      await_(std::move(await), "the handle was deleted before the lag result") {
    wakeup_.reset(new Wakeup(handle->Interp(), [this] { OnWake(); }));
}

LagJob::~LagJob() {
    // Bounded: every call the worker makes has the query's timeout.
    if (worker_.joinable()) worker_.join();
}

void LagJob::Start() {
    worker_ = std::thread([this] {
        query_.Run();
        done_.store(true);
        wakeup_->Signal();
    });
}

void LagJob::OnWake() {
    if (!done_.load()) return;
    worker_.join();
    // As AdminPending::OnWake: this job goes before the handle it belongs to.
    Preserve keepHandle(handle_);
    std::shared_ptr<LagJob> keep = shared_from_this();
    handle_->DropLag(this);
    if (handle_->Deleted()) return;
    Tcl_Interp *interp = handle_->Interp();
    if (await_) {
        await_->Complete(query_.Report(interp));
        return;
    }
    if (!command_) return; // an -await whose coroutine is gone: nobody waits any more
    Tcl_Obj *arg = Tcl_NewDictObj();
    if (query_.err) {
        DictPut(arg, "error", Tcl_NewStringObj(rd_kafka_err2name(query_.err), -1));
        DictPut(arg, "message", Tcl_NewStringObj(query_.message.c_str(), -1));
    } else {
        DictPut(arg, "error", Tcl_NewObj());
        DictPut(arg, "result", query_.Result());
    }
    InvokeCallback(interp, command_.get(), arg, "kafka lag -command callback");
}

void Handle::DropLag(LagJob *job) {
    for (auto it = lagJobs_.begin(); it != lagJobs_.end(); ++it) {
        if (it->get() == job) {
            lagJobs_.erase(it);
            return;
        }
    }
}

// The partitions asked for: the topics' (looked up by Run), else the assignment.
static int LagPartitions(Tcl_Interp *interp, rd_kafka_t *rk, Tcl_Obj *topicList, LagQuery *query) {
    if (topicList) {
        Tcl_Size n;
        Tcl_Obj **names;
        if (Tcl_ListObjGetElements(nullptr, topicList, &n, &names) != TCL_OK || n == 0)
            return ArgError(interp, "topicList must be a non-empty list of topic names");
        for (Tcl_Size i = 0; i < n; i++) {
            std::string name = Tcl_GetString(names[i]);
            if (name.empty()) return ArgError(interp, "topicList must be a non-empty list of topic names");
            if (std::find(query->topics.begin(), query->topics.end(), name) == query->topics.end())
                query->topics.push_back(name);
        }
        return TCL_OK;
    }
    rd_kafka_topic_partition_list_t *raw = nullptr;
    if (rd_kafka_resp_err_t err = rd_kafka_assignment(rk, &raw))
        return KafkaError(interp, err, std::string("lag failed: ") + rd_kafka_err2str(err));
    PartitionListPtr assigned(raw);
    if (assigned->cnt == 0)
        return KafkaError(interp, RD_KAFKA_RESP_ERR__STATE,
                          "lag: the consumer has no partitions assigned yet: name the topics (lag topicList)");
    for (int i = 0; i < assigned->cnt; i++)
        query->rows.push_back({assigned->elems[i].topic, assigned->elems[i].partition});
    return TCL_OK;
}

// lag ?topicList? ?-timeout ms? ?-command cmd|-await?
int Handle::Lag(int objc, Tcl_Obj *const objv[]) {
    struct Words {
        Tcl_Obj *timeout = nullptr, *command = nullptr;
        bool await = false;
    };
    using W = Words;
    static const OptionTable<W> table({{"-timeout", &W::timeout}, {"-command", &W::command}, {"-await", &W::await}},
                                      Placement::Anywhere, true);
    Words words;
    std::vector<Tcl_Obj *> rest;
    if (table.Parse(interp_, objc, objv, 2, nullptr, &words, &rest) != TCL_OK) return TCL_ERROR;
    if (rest.size() > 1) return kWrongArgs;
    LagQuery query;
    query.rk = rk_.get();
    // Bounded, as the admin calls': the handle's deletion waits for a worker.
    if (words.timeout && GetAdminTimeout(interp_, words.timeout, &query.timeoutMs) != TCL_OK) return TCL_ERROR;
    // As the admin calls': an empty command is none (the call waits).
    ObjRef command = words.command ? CallbackArg(words.command) : ObjRef();
    if (words.command && words.await) return ArgError(interp_, "-command and -await exclude each other");
    if (!ConsumerQueue()) return TCL_ERROR; // no group.id: no committed offsets
    Tcl_Obj *topics = rest.empty() ? nullptr : rest[0];
    if (LagPartitions(interp_, rk_.get(), topics, &query) != TCL_OK) return TCL_ERROR;
    std::shared_ptr<Await> await;
    if (words.await && !(await = Await::Begin(interp_, "lag -await"))) return TCL_ERROR;
    if (!command && !await) {
        query.Run();
        return query.Report(interp_);
    }
    auto job = std::make_shared<LagJob>(this, std::move(query), command.get(), await);
    lagJobs_.push_back(job);
    job->Start();
    return await ? Await::Suspend(interp_, await) : TCL_OK;
}

} // namespace kafkatcl
