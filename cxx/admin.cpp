// admin.cpp -- librdkafka's Admin API as handle methods (see admin.h).
#include "admin.h"

#include "config.h"
#include "handle.h"
#include "method.h"
#include "options.h"
#include "mock.h"
#include "partitions.h"

#include <algorithm>
#include <cstring>
#include <functional>
#include <iterator>
#include <set>
#include <strings.h>
#include <vector>

namespace kafkatcl {

// Whether the librdkafka headers built against are MAJOR.MINOR or newer.
#define KAFKATCL_RDKAFKA(major, minor) (RD_KAFKA_VERSION >= ((major) << 24 | (minor) << 16))

namespace {

using AdminOptionsPtr = Owned<rd_kafka_AdminOptions_t, rd_kafka_AdminOptions_destroy>;

// The request objects of one admin call, destroyed together on every path.
template <typename T, void (*DestroyArray)(T **, size_t)> class RequestArray {
  public:
    RequestArray() = default;
    RequestArray(const RequestArray &) = delete;
    RequestArray &operator=(const RequestArray &) = delete;
    ~RequestArray() { DestroyArray(items_.data(), items_.size()); }
    void push_back(T *item) { items_.push_back(item); }
    T **data() { return items_.data(); }
    size_t size() const { return items_.size(); }

  private:
    std::vector<T *> items_;
};

Tcl_Obj *Str(const char *s) { return Tcl_NewStringObj(s ? s : "", -1); }
Tcl_Obj *ErrName(rd_kafka_resp_err_t err) { return Str(err ? rd_kafka_err2name(err) : ""); }

#if KAFKATCL_RDKAFKA(2, 6)
// classic | consumer | unknown (librdkafka's names are capitalized: Classic ...)
Tcl_Obj *GroupTypeName(rd_kafka_consumer_group_type_t type) {
    std::string name = rd_kafka_consumer_group_type_name(type);
    for (char &c : name) c = (char)tolower((unsigned char)c);
    return Tcl_NewStringObj(name.c_str(), -1);
}
#endif

// {error ERR message M} for one item.
Tcl_Obj *ItemStatus(rd_kafka_resp_err_t err, const char *message) {
    Tcl_Obj *d = Tcl_NewDictObj();
    DictPut(d, "error", ErrName(err));
    DictPut(d, "message", Str(err ? (message ? message : rd_kafka_err2str(err)) : ""));
    return d;
}

// _UNSUPPORTED_FEATURE: `what` needs a newer librdkafka than this one.
[[maybe_unused]] int TooOld(Tcl_Interp *interp, const char *method, const char *needs) {
    return KafkaError(interp, RD_KAFKA_RESP_ERR__UNSUPPORTED_FEATURE,
                      std::string(method) + " needs librdkafka " + needs + " or later (this is " + rd_kafka_version_str() + ")");
}

// A name among `names` (exact, case-insensitive) as its index, else an error listing them.
[[maybe_unused]] int GetName(Tcl_Interp *interp, Tcl_Obj *word, const char *what, const std::vector<const char *> &names, int *index) {
    std::string valid;
    for (size_t i = 0; i < names.size(); i++) {
        if (!strcasecmp(names[i], Tcl_GetString(word))) {
            *index = (int)i;
            return TCL_OK;
        }
        valid += (i ? ", " : "") + std::string(names[i]);
    }
    return ArgError(interp, std::string("bad ") + what + " \"" + Tcl_GetString(word) + "\": must be " + valid);
}

#if KAFKATCL_RDKAFKA(2, 6)
// {classic consumer} -> group types, each once.
int GroupTypesFromObj(Tcl_Interp *interp, Tcl_Obj *obj, std::vector<rd_kafka_consumer_group_type_t> *types) {
    Tcl_Size n;
    Tcl_Obj **e;
    if (Tcl_ListObjGetElements(NULL, obj, &n, &e) != TCL_OK) return ArgError(interp, "groupTypes must be a list");
    for (Tcl_Size i = 0; i < n; i++) {
        int index;
        if (GetName(interp, e[i], "group type", {"consumer", "classic"}, &index) != TCL_OK) return TCL_ERROR;
        auto type = (rd_kafka_consumer_group_type_t)(index + RD_KAFKA_CONSUMER_GROUP_TYPE_CONSUMER);
        if (std::find(types->begin(), types->end(), type) != types->end())
            return ArgError(interp, std::string("duplicate group type \"") + Tcl_GetString(e[i]) + "\"");
        types->push_back(type);
    }
    return TCL_OK;
}
#endif

// ---- result converters ---------------------------------------------------------

Tcl_Obj *TopicResults(const rd_kafka_topic_result_t **results, size_t n) {
    Tcl_Obj *d = Tcl_NewDictObj();
    for (size_t i = 0; i < n; i++) {
        DictPut(d, rd_kafka_topic_result_name(results[i]),
            ItemStatus(rd_kafka_topic_result_error(results[i]), rd_kafka_topic_result_error_string(results[i])));
    }
    return d;
}
Tcl_Obj *CreateTopicsResult(const rd_kafka_event_t *ev) {
    size_t n;
    auto r = rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(const_cast<rd_kafka_event_t *>(ev)), &n);
    return TopicResults(r, n);
}
Tcl_Obj *DeleteTopicsResult(const rd_kafka_event_t *ev) {
    size_t n;
    auto r = rd_kafka_DeleteTopics_result_topics(rd_kafka_event_DeleteTopics_result(const_cast<rd_kafka_event_t *>(ev)), &n);
    return TopicResults(r, n);
}
Tcl_Obj *CreatePartitionsResult(const rd_kafka_event_t *ev) {
    size_t n;
    auto r = rd_kafka_CreatePartitions_result_topics(rd_kafka_event_CreatePartitions_result(const_cast<rd_kafka_event_t *>(ev)), &n);
    return TopicResults(r, n);
}

// dict "TYPE name" -> {error E message M configs {key value ...}}
Tcl_Obj *ResourceResults(const rd_kafka_ConfigResource_t **res, size_t n, bool withConfigs) {
    Tcl_Obj *d = Tcl_NewDictObj();
    for (size_t i = 0; i < n; i++) {
        Tcl_Obj *item = ItemStatus(rd_kafka_ConfigResource_error(res[i]), rd_kafka_ConfigResource_error_string(res[i]));
        if (withConfigs) {
            size_t cn;
            const rd_kafka_ConfigEntry_t **entries = rd_kafka_ConfigResource_configs(res[i], &cn);
            Tcl_Obj *configs = Tcl_NewDictObj();
            for (size_t j = 0; j < cn; j++) {
                const char *name = rd_kafka_ConfigEntry_name(entries[j]);
                bool secret = rd_kafka_ConfigEntry_is_sensitive(entries[j]) || IsSecretKey(name);
                DictPut(configs, name, Str(secret ? "***" : rd_kafka_ConfigEntry_value(entries[j])));
            }
            DictPut(item, "configs", configs);
        }
        std::string key = std::string(rd_kafka_ResourceType_name(rd_kafka_ConfigResource_type(res[i]))) + " " +
                          rd_kafka_ConfigResource_name(res[i]);
        Tcl_DictObjPut(NULL, d, Tcl_NewStringObj(key.c_str(), -1), item);
    }
    return d;
}
Tcl_Obj *DescribeConfigsResult(const rd_kafka_event_t *ev) {
    size_t n;
    auto r = rd_kafka_DescribeConfigs_result_resources(rd_kafka_event_DescribeConfigs_result(const_cast<rd_kafka_event_t *>(ev)), &n);
    return ResourceResults(r, n, true);
}
Tcl_Obj *AlterConfigsResult(const rd_kafka_event_t *ev) {
    size_t n;
    auto r = rd_kafka_AlterConfigs_result_resources(rd_kafka_event_AlterConfigs_result(const_cast<rd_kafka_event_t *>(ev)), &n);
    return ResourceResults(r, n, false);
}
Tcl_Obj *DeleteRecordsResult(const rd_kafka_event_t *ev) {
    return PartitionsToObj(rd_kafka_DeleteRecords_result_offsets(rd_kafka_event_DeleteRecords_result(const_cast<rd_kafka_event_t *>(ev))), true);
}

Tcl_Obj *ListGroupsResult(const rd_kafka_event_t *ev) {
    auto *result = rd_kafka_event_ListConsumerGroups_result(const_cast<rd_kafka_event_t *>(ev));
    size_t n;
    const rd_kafka_ConsumerGroupListing_t **groups = rd_kafka_ListConsumerGroups_result_valid(result, &n);
    Tcl_Obj *list = Tcl_NewListObj(0, NULL);
    for (size_t i = 0; i < n; i++) {
        Tcl_Obj *g = Tcl_NewDictObj();
        DictPut(g, "group", Str(rd_kafka_ConsumerGroupListing_group_id(groups[i])));
        DictPut(g, "state", Str(rd_kafka_consumer_group_state_name(rd_kafka_ConsumerGroupListing_state(groups[i]))));
        DictPut(g, "simple", Tcl_NewBooleanObj(rd_kafka_ConsumerGroupListing_is_simple_consumer_group(groups[i])));
#if KAFKATCL_RDKAFKA(2, 6)
        DictPut(g, "type", GroupTypeName(rd_kafka_ConsumerGroupListing_type(groups[i])));
#endif
        Tcl_ListObjAppendElement(NULL, list, g);
    }
    return list;
}

Tcl_Obj *DescribeGroupsResult(const rd_kafka_event_t *ev) {
    auto *result = rd_kafka_event_DescribeConsumerGroups_result(const_cast<rd_kafka_event_t *>(ev));
    size_t n;
    const rd_kafka_ConsumerGroupDescription_t **groups = rd_kafka_DescribeConsumerGroups_result_groups(result, &n);
    Tcl_Obj *d = Tcl_NewDictObj();
    for (size_t i = 0; i < n; i++) {
        const rd_kafka_error_t *error = rd_kafka_ConsumerGroupDescription_error(groups[i]);
        Tcl_Obj *g = ItemStatus(error ? rd_kafka_error_code(error) : RD_KAFKA_RESP_ERR_NO_ERROR,
                                error ? rd_kafka_error_string(error) : nullptr);
        DictPut(g, "state", Str(rd_kafka_consumer_group_state_name(rd_kafka_ConsumerGroupDescription_state(groups[i]))));
        DictPut(g, "assignor", Str(rd_kafka_ConsumerGroupDescription_partition_assignor(groups[i])));
        DictPut(g, "simple", Tcl_NewBooleanObj(rd_kafka_ConsumerGroupDescription_is_simple_consumer_group(groups[i])));
#if KAFKATCL_RDKAFKA(2, 10)
        DictPut(g, "type", GroupTypeName(rd_kafka_ConsumerGroupDescription_type(groups[i])));
#endif
        const rd_kafka_Node_t *coord = rd_kafka_ConsumerGroupDescription_coordinator(groups[i]);
        if (coord) DictPut(g, "coordinator", Tcl_NewIntObj(rd_kafka_Node_id(coord)));
        Tcl_Obj *members = Tcl_NewListObj(0, NULL);
        for (size_t j = 0; j < rd_kafka_ConsumerGroupDescription_member_count(groups[i]); j++) {
            const rd_kafka_MemberDescription_t *mem = rd_kafka_ConsumerGroupDescription_member(groups[i], j);
            Tcl_Obj *md = Tcl_NewDictObj();
            DictPut(md, "member", Str(rd_kafka_MemberDescription_consumer_id(mem)));
            DictPut(md, "client_id", Str(rd_kafka_MemberDescription_client_id(mem)));
            DictPut(md, "host", Str(rd_kafka_MemberDescription_host(mem)));
            const rd_kafka_MemberAssignment_t *a = rd_kafka_MemberDescription_assignment(mem);
            DictPut(md, "assignment", PartitionsToObj(a ? rd_kafka_MemberAssignment_partitions(a) : nullptr, false));
#if KAFKATCL_RDKAFKA(2, 10)
            // What the group coordinator wants the member to own (consumer
            // groups only: none in a classic group, where the list is empty).
            const rd_kafka_MemberAssignment_t *target = rd_kafka_MemberDescription_target_assignment(mem);
            DictPut(md, "target_assignment", PartitionsToObj(target ? rd_kafka_MemberAssignment_partitions(target) : nullptr, false));
#endif
            Tcl_ListObjAppendElement(NULL, members, md);
        }
        DictPut(g, "members", members);
        DictPut(d, rd_kafka_ConsumerGroupDescription_group_id(groups[i]), g);
    }
    return d;
}

// dict group -> {error E message M ?partitions {...}?}
Tcl_Obj *GroupResults(const rd_kafka_group_result_t **groups, size_t n, bool withPartitions) {
    Tcl_Obj *d = Tcl_NewDictObj();
    for (size_t i = 0; i < n; i++) {
        const rd_kafka_error_t *error = rd_kafka_group_result_error(groups[i]);
        Tcl_Obj *g = ItemStatus(error ? rd_kafka_error_code(error) : RD_KAFKA_RESP_ERR_NO_ERROR,
                                error ? rd_kafka_error_string(error) : nullptr);
        if (withPartitions) DictPut(g, "partitions", PartitionsToObj(rd_kafka_group_result_partitions(groups[i]), true));
        DictPut(d, rd_kafka_group_result_name(groups[i]), g);
    }
    return d;
}
Tcl_Obj *DeleteGroupsResult(const rd_kafka_event_t *ev) {
    size_t n;
    auto r = rd_kafka_DeleteGroups_result_groups(rd_kafka_event_DeleteGroups_result(const_cast<rd_kafka_event_t *>(ev)), &n);
    return GroupResults(r, n, false);
}
Tcl_Obj *ListGroupOffsetsResult(const rd_kafka_event_t *ev) {
    size_t n;
    auto r = rd_kafka_ListConsumerGroupOffsets_result_groups(rd_kafka_event_ListConsumerGroupOffsets_result(const_cast<rd_kafka_event_t *>(ev)), &n);
    return GroupResults(r, n, true);
}
Tcl_Obj *AlterGroupOffsetsResult(const rd_kafka_event_t *ev) {
    size_t n;
    auto r = rd_kafka_AlterConsumerGroupOffsets_result_groups(rd_kafka_event_AlterConsumerGroupOffsets_result(const_cast<rd_kafka_event_t *>(ev)), &n);
    return GroupResults(r, n, true);
}
Tcl_Obj *DeleteGroupOffsetsResult(const rd_kafka_event_t *ev) {
    size_t n;
    auto r = rd_kafka_DeleteConsumerGroupOffsets_result_groups(
        rd_kafka_event_DeleteConsumerGroupOffsets_result(const_cast<rd_kafka_event_t *>(ev)), &n);
    return GroupResults(r, n, true);
}

// An ACL binding as a dict.
Tcl_Obj *AclObj(const rd_kafka_AclBinding_t *acl) {
    Tcl_Obj *d = Tcl_NewDictObj();
    DictPut(d, "restype", Str(rd_kafka_ResourceType_name(rd_kafka_AclBinding_restype(acl))));
    DictPut(d, "name", Str(rd_kafka_AclBinding_name(acl)));
    DictPut(d, "pattern", Str(rd_kafka_ResourcePatternType_name(rd_kafka_AclBinding_resource_pattern_type(acl))));
    DictPut(d, "principal", Str(rd_kafka_AclBinding_principal(acl)));
    DictPut(d, "host", Str(rd_kafka_AclBinding_host(acl)));
    DictPut(d, "operation", Str(rd_kafka_AclOperation_name(rd_kafka_AclBinding_operation(acl))));
    DictPut(d, "permission", Str(rd_kafka_AclPermissionType_name(rd_kafka_AclBinding_permission_type(acl))));
    return d;
}
Tcl_Obj *CreateAclsResult(const rd_kafka_event_t *ev) {
    size_t n;
    auto r = rd_kafka_CreateAcls_result_acls(rd_kafka_event_CreateAcls_result(const_cast<rd_kafka_event_t *>(ev)), &n);
    Tcl_Obj *list = Tcl_NewListObj(0, NULL);
    for (size_t i = 0; i < n; i++) {
        const rd_kafka_error_t *error = rd_kafka_acl_result_error(r[i]);
        Tcl_ListObjAppendElement(NULL, list, ItemStatus(error ? rd_kafka_error_code(error) : RD_KAFKA_RESP_ERR_NO_ERROR,
                                                        error ? rd_kafka_error_string(error) : nullptr));
    }
    return list;
}
Tcl_Obj *DescribeAclsResult(const rd_kafka_event_t *ev) {
    size_t n;
    auto r = rd_kafka_DescribeAcls_result_acls(rd_kafka_event_DescribeAcls_result(const_cast<rd_kafka_event_t *>(ev)), &n);
    Tcl_Obj *list = Tcl_NewListObj(0, NULL);
    for (size_t i = 0; i < n; i++) Tcl_ListObjAppendElement(NULL, list, AclObj(r[i]));
    return list;
}
Tcl_Obj *DeleteAclsResult(const rd_kafka_event_t *ev) {
    size_t n;
    auto r = rd_kafka_DeleteAcls_result_responses(rd_kafka_event_DeleteAcls_result(const_cast<rd_kafka_event_t *>(ev)), &n);
    Tcl_Obj *list = Tcl_NewListObj(0, NULL);
    for (size_t i = 0; i < n; i++) {
        const rd_kafka_error_t *error = rd_kafka_DeleteAcls_result_response_error(r[i]);
        Tcl_Obj *item = ItemStatus(error ? rd_kafka_error_code(error) : RD_KAFKA_RESP_ERR_NO_ERROR,
                                   error ? rd_kafka_error_string(error) : nullptr);
        size_t m;
        const rd_kafka_AclBinding_t **acls = rd_kafka_DeleteAcls_result_response_matching_acls(r[i], &m);
        Tcl_Obj *deleted = Tcl_NewListObj(0, NULL);
        for (size_t j = 0; j < m; j++) Tcl_ListObjAppendElement(NULL, deleted, AclObj(acls[j]));
        DictPut(item, "deleted", deleted);
        Tcl_ListObjAppendElement(NULL, list, item);
    }
    return list;
}

// ---- argument parsing ----------------------------------------------------------------

// Finds the enum value whose librdkafka name matches `word` (case-insensitive).
template <typename Enum>
int GetEnum(Tcl_Interp *interp, Tcl_Obj *word, const char *what, int count, const char *(*name)(Enum), Enum *out) {
    std::string valid;
    for (int i = 0; i < count; i++) {
        const char *n = name((Enum)i);
        if (!strcasecmp(n, Tcl_GetString(word))) {
            *out = (Enum)i;
            return TCL_OK;
        }
        valid += (valid.empty() ? "" : ", ") + std::string(n);
    }
    return ArgError(interp, std::string("bad ") + what + " \"" + Tcl_GetString(word) + "\": must be " + valid);
}

struct AdminArgs {
    int timeout = 30000;
    bool validate = false;
    bool await = false;
    std::string method; // for errors
    ObjRef command;
    std::vector<Tcl_Obj *> positional;
};

// Splits objv[2..] into positional words and the options: -timeout and
// -command, and -validate for the calls that take it; "--" ends the options.
int ParseAdminArgs(Tcl_Interp *interp, bool validate, int objc, Tcl_Obj *const objv[], AdminArgs *args) {
    struct Words {
        Tcl_Obj *timeout = nullptr, *command = nullptr;
        bool validate = false, await = false;
    };
    using W = Words;
    static const OptionTable<W> withValidate(
        {{"-timeout", &W::timeout}, {"-validate", &W::validate}, {"-command", &W::command}, {"-await", &W::await}},
        Placement::Anywhere, true);
    static const OptionTable<W> withoutValidate(
        {{"-timeout", &W::timeout}, {"-command", &W::command}, {"-await", &W::await}}, Placement::Anywhere, true);
    Words words;
    if ((validate ? withValidate : withoutValidate).Parse(interp, objc, objv, 2, nullptr, &words, &args->positional) !=
        TCL_OK)
        return TCL_ERROR;
    args->validate = words.validate;
    if (words.timeout && GetAdminTimeout(interp, words.timeout, &args->timeout) != TCL_OK) return TCL_ERROR;
    if (words.command) args->command = CallbackArg(words.command);
    args->await = words.await;
    args->method = Tcl_GetString(objv[1]);
    if (args->await && args->command) return ArgError(interp, "-command and -await exclude each other");
    return TCL_OK;
}

int ListElements(Tcl_Interp *interp, Tcl_Obj *obj, const char *what, std::vector<Tcl_Obj *> *out) {
    Tcl_Size n;
    Tcl_Obj **e;
    if (Tcl_ListObjGetElements(NULL, obj, &n, &e) != TCL_OK) return ArgError(interp, std::string(what) + " must be a list");
    out->assign(e, e + n);
    return TCL_OK;
}

// A broker-side config value, as a C string (UTF-8, no NUL: see GetCString).
static int ConfigValue(Tcl_Interp *interp, Tcl_Obj *key, Tcl_Obj *value, std::string *out) {
    return GetCString(interp, value, std::string("the value of config \"") + Tcl_GetString(key) + "\"", out);
}

// {type name ?{key value ...}?} -> ConfigResource
rd_kafka_ConfigResource_t *ResourceFromObj(Tcl_Interp *interp, Tcl_Obj *obj, bool withConfigs) {
    std::vector<Tcl_Obj *> f;
    if (ListElements(interp, obj, "resource", &f) != TCL_OK) return nullptr;
    if (f.size() != (withConfigs ? 3u : 2u)) {
        ArgError(interp, std::string("bad resource \"") + Tcl_GetString(obj) + "\": must be {type name" +
                             (withConfigs ? " {key value ...}}" : "}"));
        return nullptr;
    }
    rd_kafka_ResourceType_t type;
    if (GetEnum<rd_kafka_ResourceType_t>(interp, f[0], "resource type", RD_KAFKA_RESOURCE__CNT, rd_kafka_ResourceType_name,
                                         &type) != TCL_OK)
        return nullptr;
#if !KAFKATCL_RDKAFKA(2, 10)
    // Older versions send GROUP as the ACL resource type, which no broker's config calls know.
    if (type == RD_KAFKA_RESOURCE_GROUP) {
        TooOld(interp, "a GROUP resource", "2.10.0");
        return nullptr;
    }
#endif
    rd_kafka_ConfigResource_t *res = rd_kafka_ConfigResource_new(type, Tcl_GetString(f[1]));
    if (!res) { // librdkafka refuses an empty name
        ArgError(interp, std::string("bad resource \"") + Tcl_GetString(obj) + "\": the name must not be empty");
        return nullptr;
    }
    if (withConfigs) {
        std::vector<Tcl_Obj *> kv;
        if (ListElements(interp, f[2], "configs", &kv) != TCL_OK || kv.size() % 2) {
            rd_kafka_ConfigResource_destroy(res);
            ArgError(interp, "configs must be a list of key value pairs");
            return nullptr;
        }
        for (size_t i = 0; i < kv.size(); i += 2) {
            std::string value;
            if (ConfigValue(interp, kv[i], kv[i + 1], &value) != TCL_OK) {
                rd_kafka_ConfigResource_destroy(res);
                return nullptr;
            }
            rd_kafka_ConfigResource_set_config(res, Tcl_GetString(kv[i]), value.c_str());
        }
    }
    return res;
}

// {restype name pattern principal host operation permission} -> binding or filter
rd_kafka_AclBinding_t *AclFromObj(Tcl_Interp *interp, Tcl_Obj *obj, bool filter) {
    std::vector<Tcl_Obj *> f;
    if (ListElements(interp, obj, "acl", &f) != TCL_OK) return nullptr;
    if (f.size() != 7) {
        ArgError(interp, "an ACL is {resourceType name patternType principal host operation permission}");
        return nullptr;
    }
    // Set by GetEnum on success (the UNKNOWN values only quiet g++'s maybe-uninitialized).
    rd_kafka_ResourceType_t restype = RD_KAFKA_RESOURCE_UNKNOWN;
    rd_kafka_ResourcePatternType_t pattern = RD_KAFKA_RESOURCE_PATTERN_UNKNOWN;
    rd_kafka_AclOperation_t op = RD_KAFKA_ACL_OPERATION_UNKNOWN;
    rd_kafka_AclPermissionType_t perm = RD_KAFKA_ACL_PERMISSION_TYPE_UNKNOWN;
    if (GetEnum<rd_kafka_ResourceType_t>(interp, f[0], "resource type", RD_KAFKA_RESOURCE__CNT, rd_kafka_ResourceType_name, &restype) ||
        GetEnum<rd_kafka_ResourcePatternType_t>(interp, f[2], "pattern type", RD_KAFKA_RESOURCE_PATTERN_TYPE__CNT,
                                                rd_kafka_ResourcePatternType_name, &pattern) ||
        GetEnum<rd_kafka_AclOperation_t>(interp, f[5], "operation", RD_KAFKA_ACL_OPERATION__CNT, rd_kafka_AclOperation_name, &op) ||
        GetEnum<rd_kafka_AclPermissionType_t>(interp, f[6], "permission", RD_KAFKA_ACL_PERMISSION_TYPE__CNT,
                                              rd_kafka_AclPermissionType_name, &perm))
        return nullptr;
    // In a filter an empty string matches anything.
    auto text = [filter](Tcl_Obj *o) -> const char * {
        const char *s = Tcl_GetString(o);
        return (filter && !*s) ? NULL : s;
    };
    char errstr[512];
    rd_kafka_AclBinding_t *acl =
        filter ? rd_kafka_AclBindingFilter_new(restype, text(f[1]), pattern, text(f[3]), text(f[4]), op, perm, errstr, sizeof errstr)
               : rd_kafka_AclBinding_new(restype, Tcl_GetString(f[1]), pattern, Tcl_GetString(f[3]), Tcl_GetString(f[4]), op,
                                         perm, errstr, sizeof errstr);
    if (!acl) ArgError(interp, errstr);
    return acl;
}

} // namespace

// ---- sync/async completion --------------------------------------------------------------

int AdminEventResult(Tcl_Interp *interp, const rd_kafka_event_t *event, AdminConverter convert, Tcl_Obj **result) {
    rd_kafka_event_t *ev = const_cast<rd_kafka_event_t *>(event);
    rd_kafka_resp_err_t err = rd_kafka_event_error(ev);
    if (err) return KafkaError(interp, err, rd_kafka_event_error_string(ev));
    if (rd_kafka_event_type(ev) == RD_KAFKA_EVENT_LISTCONSUMERGROUPS_RESULT) {
        // ListConsumerGroups asks every broker: its errors are per broker, not
        // in the event. With no group listed at all, they are the answer.
        const rd_kafka_ListConsumerGroups_result_t *lg = rd_kafka_event_ListConsumerGroups_result(ev);
        size_t nvalid, nerrors;
        rd_kafka_ListConsumerGroups_result_valid(lg, &nvalid);
        const rd_kafka_error_t **errors = rd_kafka_ListConsumerGroups_result_errors(lg, &nerrors);
        if (nerrors && !nvalid) {
            std::string message = "list_groups failed: ";
            for (size_t i = 0; i < nerrors; i++) message += (i ? "; " : "") + std::string(rd_kafka_error_string(errors[i]));
            return KafkaError(interp, rd_kafka_error_code(errors[0]), message);
        }
    }
    *result = convert(event);
    return TCL_OK;
}

AdminPending::AdminPending(Handle *handle, rd_kafka_queue_t *queue, AdminConverter convert, Tcl_Obj *command,
                           std::shared_ptr<Await> await)
    : handle_(handle), convert_(convert), command_(command),
      await_(std::move(await), "the handle was deleted before the admin result"), queue_(queue) {
    wakeup_.reset(new Wakeup(handle->Interp(), [this] { OnWake(); }));
}

AdminPending::~AdminPending() {
    wakeup_->Unwatch(queue_.get());
    queue_.reset();
}

void AdminPending::Start() {
    wakeup_->Watch(queue_.get());
    wakeup_->Again();
}

void AdminPending::OnWake() {
    rd_kafka_event_t *event = rd_kafka_queue_poll(queue_.get(), 0);
    if (!event) return;
    // Released in reverse order: this AdminPending, and with it its queue,
    // before the handle, whose rd_kafka_t goes with it when the callback
    // deleted the handle or its master (librdkafka wants its queues
    // destroyed first). The handle is alive here: it still owns us.
    Preserve keepHandle(handle_);
    std::shared_ptr<AdminPending> keep = shared_from_this();
    handle_->DropPending(this);
    if (handle_->Deleted()) {
        rd_kafka_event_destroy(event);
        return;
    }
    Tcl_Interp *interp = handle_->Interp();
    if (await_) {
        Tcl_Obj *result = nullptr;
        int code = AdminEventResult(interp, event, convert_, &result);
        rd_kafka_event_destroy(event);
        if (code == TCL_OK) Tcl_SetObjResult(interp, result);
        await_->Complete(code);
        return;
    }
    if (!command_) { // an orphaned synchronous call: nobody waits any more
        rd_kafka_event_destroy(event);
        return;
    }
    Tcl_Obj *result = nullptr;
    Tcl_Obj *arg = Tcl_NewDictObj();
    if (AdminEventResult(interp, event, convert_, &result) == TCL_OK) {
        DictPut(arg, "error", Str(""));
        DictPut(arg, "result", result);
    } else {
        // The error code is in the return options (::errorCode is only set
        // once an error reaches a script).
        Tcl_Obj *options = Tcl_GetReturnOptions(interp, TCL_ERROR);
        Tcl_IncrRefCount(options);
        Tcl_Obj *key = Str("-errorcode"), *errorCode = nullptr, *name = nullptr;
        Tcl_IncrRefCount(key);
        Tcl_DictObjGet(NULL, options, key, &errorCode);
        if (errorCode) Tcl_ListObjIndex(NULL, errorCode, 1, &name);
        DictPut(arg, "error", name ? name : Str("_FAIL"));
        DictPut(arg, "message", Tcl_GetObjResult(interp));
        Tcl_DecrRefCount(key);
        Tcl_DecrRefCount(options);
        Tcl_ResetResult(interp);
    }
    rd_kafka_event_destroy(event);
    InvokeCallback(interp, command_.get(), arg, "kafka admin -command callback");
}

// ---- the generic runner ---------------------------------------------------------------

// What a builder makes of a call's words. `send` issues the librdkafka call
// on (options, queue) and owns the request objects it sends (librdkafka
// copies them); `prepare`, if any, sets the call's own options first (its
// error is raised).
using AdminSend = std::function<void(rd_kafka_t *, rd_kafka_AdminOptions_t *, rd_kafka_queue_t *)>;
using AdminPrepare = std::function<rd_kafka_error_t *(rd_kafka_AdminOptions_t *)>;
struct AdminRequest {
    AdminConverter convert = nullptr;
    AdminSend send;
    AdminPrepare prepare;
};

// Sends `request` with the options of `args`: asynchronously (-command,
// -await) or waiting for the result.
static int RunAdmin(Handle *handle, const AdminArgs &args, const AdminRequest &request) {
    Tcl_Interp *interp = handle->Interp();
    rd_kafka_t *rk = handle->Kafka();
    AdminOptionsPtr options(rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_ANY));
    char errstr[256];
    rd_kafka_AdminOptions_set_request_timeout(options.get(), args.timeout, errstr, sizeof errstr);
    rd_kafka_AdminOptions_set_operation_timeout(options.get(), args.timeout, errstr, sizeof errstr);
    if (args.validate && rd_kafka_AdminOptions_set_validate_only(options.get(), 1, errstr, sizeof errstr))
        return ArgError(interp, errstr);
    if (request.prepare) {
        if (rd_kafka_error_t *error = request.prepare(options.get())) return RdError(interp, error, args.method.c_str());
    }
    std::shared_ptr<Await> await;
    if (args.await && !(await = Await::Begin(interp, (args.method + " -await").c_str()))) return TCL_ERROR;
    QueuePtr queue(rd_kafka_queue_new(rk));
    request.send(rk, options.get(), queue.get());
    if (args.command || await) {
        auto pending = std::make_shared<AdminPending>(handle, queue.release(), request.convert, args.command.get(), await);
        handle->KeepPending(pending);
        pending->Start();
        return await ? Await::Suspend(interp, await) : TCL_OK;
    }
    // Synchronous: librdkafka enforces the timeout; the margin only guards against a lost reply.
    constexpr int kLostReplyMarginMs = 5000;
    rd_kafka_event_t *event = rd_kafka_queue_poll(queue.get(), args.timeout + kLostReplyMarginMs);
    if (!event) {
        // librdkafka still owns the request: keep its reply queue alive until
        // the reply comes (an orphan with no command just discards it).
        auto orphan = std::make_shared<AdminPending>(handle, queue.release(), request.convert, nullptr, nullptr);
        handle->KeepPending(orphan);
        orphan->Start();
        return KafkaError(interp, RD_KAFKA_RESP_ERR__TIMED_OUT, "admin request timed out");
    }
    Tcl_Obj *result = nullptr;
    int code = AdminEventResult(interp, event, request.convert, &result);
    rd_kafka_event_destroy(event);
    if (code == TCL_OK) Tcl_SetObjResult(interp, result);
    return code;
}

// ---- the admin calls' parts (their rows: kAdminCalls below) -----------------------------

// The group admin calls against librdkafka's mock cluster: 2.0.2's never
// answers some (the handle then cannot be destroyed) and aborts on others
// (DeleteGroups, OffsetDelete: rd_kafka_enq_once_del_source_return); 2.8's
// still lets the group offset calls time out and then hangs the handle's
// destroy (tried), so the refusal holds on every version.
static int RefuseOnMock(Handle *handle, const char *method) {
    if (!MockCluster::Reaches(handle->Kafka(), handle->AddedBrokers())) return TCL_OK;
    return KafkaError(handle->Interp(), RD_KAFKA_RESP_ERR__UNSUPPORTED_FEATURE,
                      std::string(method) +
                          ": librdkafka's mock cluster does not implement it (librdkafka would hang or abort); "
                          "use a real broker");
}

// {topic partitions ?replicationFactor? ?{key value ...}?} -> a NewTopic, or nullptr and an error.
static rd_kafka_NewTopic_t *NewTopicFromObj(Tcl_Interp *interp, Tcl_Obj *item) {
    std::vector<Tcl_Obj *> f;
    int partitions, replication = -1;
    char errstr[256];
    if (ListElements(interp, item, "topic", &f) != TCL_OK || f.size() < 2 || f.size() > 4) {
        ArgError(interp, std::string("bad topic \"") + Tcl_GetString(item) +
                             "\": must be {topic partitions ?replicationFactor? ?{key value ...}?}");
        return nullptr;
    }
    if (GetInt(interp, f[1], "partitions", &partitions) != TCL_OK ||
        (f.size() > 2 && GetInt(interp, f[2], "replication factor", &replication) != TCL_OK))
        return nullptr;
    Owned<rd_kafka_NewTopic_t, rd_kafka_NewTopic_destroy> nt(
        rd_kafka_NewTopic_new(Tcl_GetString(f[0]), partitions, replication, errstr, sizeof errstr));
    if (!nt) {
        ArgError(interp, errstr);
        return nullptr;
    }
    if (f.size() == 4) {
        std::vector<Tcl_Obj *> kv;
        if (ListElements(interp, f[3], "configs", &kv) != TCL_OK || kv.size() % 2) {
            ArgError(interp, "topic configs must be a list of key value pairs");
            return nullptr;
        }
        for (size_t i = 0; i < kv.size(); i += 2) {
            std::string value;
            if (ConfigValue(interp, kv[i], kv[i + 1], &value) != TCL_OK) return nullptr;
            rd_kafka_NewTopic_set_config(nt.get(), Tcl_GetString(kv[i]), value.c_str());
        }
    }
    return nt.release();
}

// ---- the result converters of newer librdkafka versions ------------------------------------


[[maybe_unused]] static rd_kafka_event_t *Ev(const rd_kafka_event_t *ev) { return const_cast<rd_kafka_event_t *>(ev); }
[[maybe_unused]] static Tcl_Obj *ErrorStatus(const rd_kafka_error_t *error) {
    return ItemStatus(error ? rd_kafka_error_code(error) : RD_KAFKA_RESP_ERR_NO_ERROR, error ? rd_kafka_error_string(error) : nullptr);
}

#if KAFKATCL_RDKAFKA(2, 2)
// SCRAM-SHA-256 | SCRAM-SHA-512
static const std::vector<const char *> kScramNames = {"UNKNOWN", "SCRAM-SHA-256", "SCRAM-SHA-512"};
static int GetScramMechanism(Tcl_Interp *interp, Tcl_Obj *word, rd_kafka_ScramMechanism_t *out) {
    int i;
    if (GetName(interp, word, "mechanism", {kScramNames[1], kScramNames[2]}, &i) != TCL_OK) return TCL_ERROR;
    *out = i ? RD_KAFKA_SCRAM_MECHANISM_SHA_512 : RD_KAFKA_SCRAM_MECHANISM_SHA_256;
    return TCL_OK;
}

Tcl_Obj *IncrementalAlterConfigsResult(const rd_kafka_event_t *ev) {
    size_t n;
    auto r = rd_kafka_IncrementalAlterConfigs_result_resources(rd_kafka_event_IncrementalAlterConfigs_result(Ev(ev)), &n);
    return ResourceResults(r, n, false);
}

// dict user -> {error E message M credentials {{mechanism M iterations N} ...}}
Tcl_Obj *DescribeScramResult(const rd_kafka_event_t *ev) {
    size_t n;
    auto r = rd_kafka_DescribeUserScramCredentials_result_descriptions(rd_kafka_event_DescribeUserScramCredentials_result(Ev(ev)), &n);
    Tcl_Obj *d = Tcl_NewDictObj();
    for (size_t i = 0; i < n; i++) {
        Tcl_Obj *u = ErrorStatus(rd_kafka_UserScramCredentialsDescription_error(r[i]));
        Tcl_Obj *creds = Tcl_NewListObj(0, NULL);
        for (size_t j = 0; j < rd_kafka_UserScramCredentialsDescription_scramcredentialinfo_count(r[i]); j++) {
            const rd_kafka_ScramCredentialInfo_t *info = rd_kafka_UserScramCredentialsDescription_scramcredentialinfo(r[i], j);
            int m = rd_kafka_ScramCredentialInfo_mechanism(info);
            Tcl_Obj *c = Tcl_NewDictObj();
            DictPut(c, "mechanism", Str(m >= 0 && m < (int)kScramNames.size() ? kScramNames[m] : "UNKNOWN"));
            DictPut(c, "iterations", Tcl_NewIntObj(rd_kafka_ScramCredentialInfo_iterations(info)));
            Tcl_ListObjAppendElement(NULL, creds, c);
        }
        DictPut(u, "credentials", creds);
        DictPut(d, rd_kafka_UserScramCredentialsDescription_user(r[i]), u);
    }
    return d;
}

// dict user -> {error E message M}
Tcl_Obj *AlterScramResult(const rd_kafka_event_t *ev) {
    size_t n;
    auto r = rd_kafka_AlterUserScramCredentials_result_responses(rd_kafka_event_AlterUserScramCredentials_result(Ev(ev)), &n);
    Tcl_Obj *d = Tcl_NewDictObj();
    for (size_t i = 0; i < n; i++)
        DictPut(d, rd_kafka_AlterUserScramCredentials_result_response_user(r[i]),
                ErrorStatus(rd_kafka_AlterUserScramCredentials_result_response_error(r[i])));
    return d;
}

// {upsert user mechanism password ?iterations?} | {delete user mechanism}
static rd_kafka_UserScramCredentialAlteration_t *ScramAlterationFromObj(Tcl_Interp *interp, Tcl_Obj *item) {
    static const char *const usage = "\": must be {upsert user mechanism password ?iterations?} or {delete user mechanism}";
    std::vector<Tcl_Obj *> f;
    int op = 0, iterations = 8192;
    rd_kafka_ScramMechanism_t mechanism;
    if (ListElements(interp, item, "alteration", &f) != TCL_OK || f.size() < 3 ||
        GetName(interp, f[0], "alteration", {"upsert", "delete"}, &op) != TCL_OK ||
        f.size() > (op ? 3u : 5u) || (!op && f.size() < 4)) {
        ArgError(interp, std::string("bad alteration \"") + Tcl_GetString(item) + usage);
        return nullptr;
    }
    if (GetScramMechanism(interp, f[2], &mechanism) != TCL_OK) return nullptr;
    if (op) return rd_kafka_UserScramCredentialDeletion_new(Tcl_GetString(f[1]), mechanism);
    if (f.size() == 5 && GetInt(interp, f[4], "iterations", &iterations) != TCL_OK) return nullptr;
    OutBytes password(f[3]); // UTF-8, as SCRAM (RFC 5802) wants; sized, so binary-safe
    if (password.Check(interp, "password") != TCL_OK) return nullptr;
    return rd_kafka_UserScramCredentialUpsertion_new(Tcl_GetString(f[1]), mechanism, iterations,
                                                     (const unsigned char *)password.data(), password.size(), nullptr,
                                                     0);
}
#endif

#if KAFKATCL_RDKAFKA(2, 3)
static Tcl_Obj *NodeIds(const rd_kafka_Node_t **nodes, size_t n) {
    Tcl_Obj *list = Tcl_NewListObj(0, NULL);
    for (size_t i = 0; i < n; i++) Tcl_ListObjAppendElement(NULL, list, Tcl_NewIntObj(rd_kafka_Node_id(nodes[i])));
    return list;
}

// {cluster_id ID controller N nodes {{id N host H port P rack R} ...}}
Tcl_Obj *DescribeClusterResult(const rd_kafka_event_t *ev) {
    const rd_kafka_DescribeCluster_result_t *r = rd_kafka_event_DescribeCluster_result(Ev(ev));
    size_t n;
    const rd_kafka_Node_t **nodes = rd_kafka_DescribeCluster_result_nodes(r, &n);
    const rd_kafka_Node_t *controller = rd_kafka_DescribeCluster_result_controller(r);
    Tcl_Obj *list = Tcl_NewListObj(0, NULL);
    for (size_t i = 0; i < n; i++) {
        Tcl_Obj *node = Tcl_NewDictObj();
        DictPut(node, "id", Tcl_NewIntObj(rd_kafka_Node_id(nodes[i])));
        DictPut(node, "host", Str(rd_kafka_Node_host(nodes[i])));
        DictPut(node, "port", Tcl_NewIntObj(rd_kafka_Node_port(nodes[i])));
        DictPut(node, "rack", Str(rd_kafka_Node_rack(nodes[i])));
        Tcl_ListObjAppendElement(NULL, list, node);
    }
    Tcl_Obj *d = Tcl_NewDictObj();
    DictPut(d, "cluster_id", Str(rd_kafka_DescribeCluster_result_cluster_id(r)));
    DictPut(d, "controller", Tcl_NewIntObj(controller ? rd_kafka_Node_id(controller) : -1));
    DictPut(d, "nodes", list);
    return d;
}

// dict topic -> {error E message M internal 0|1 partitions {{partition P leader L replicas {..} isr {..}} ...}}
Tcl_Obj *DescribeTopicsResult(const rd_kafka_event_t *ev) {
    size_t n;
    auto r = rd_kafka_DescribeTopics_result_topics(rd_kafka_event_DescribeTopics_result(Ev(ev)), &n);
    Tcl_Obj *d = Tcl_NewDictObj();
    for (size_t i = 0; i < n; i++) {
        Tcl_Obj *t = ErrorStatus(rd_kafka_TopicDescription_error(r[i]));
        DictPut(t, "internal", Tcl_NewBooleanObj(rd_kafka_TopicDescription_is_internal(r[i])));
        size_t pn, rn, in;
        const rd_kafka_TopicPartitionInfo_t **parts = rd_kafka_TopicDescription_partitions(r[i], &pn);
        Tcl_Obj *list = Tcl_NewListObj(0, NULL);
        for (size_t j = 0; j < pn; j++) {
            const rd_kafka_Node_t *leader = rd_kafka_TopicPartitionInfo_leader(parts[j]);
            const rd_kafka_Node_t **replicas = rd_kafka_TopicPartitionInfo_replicas(parts[j], &rn);
            const rd_kafka_Node_t **isr = rd_kafka_TopicPartitionInfo_isr(parts[j], &in);
            Tcl_Obj *p = Tcl_NewDictObj();
            DictPut(p, "partition", Tcl_NewIntObj(rd_kafka_TopicPartitionInfo_partition(parts[j])));
            DictPut(p, "leader", Tcl_NewIntObj(leader ? rd_kafka_Node_id(leader) : -1));
            DictPut(p, "replicas", NodeIds(replicas, rn));
            DictPut(p, "isr", NodeIds(isr, in));
            Tcl_ListObjAppendElement(NULL, list, p);
        }
        DictPut(t, "partitions", list);
        DictPut(d, rd_kafka_TopicDescription_name(r[i]), t);
    }
    return d;
}

// {topic T partition P error E}
static Tcl_Obj *PartitionResultObj(const rd_kafka_topic_partition_t *tp) {
    Tcl_Obj *d = Tcl_NewDictObj();
    DictPut(d, "topic", Str(tp->topic));
    DictPut(d, "partition", Tcl_NewIntObj(tp->partition));
    DictPut(d, "error", ErrName(tp->err));
    return d;
}

// A list of {topic T partition P offset O timestamp TS error E}
Tcl_Obj *ListOffsetsResult(const rd_kafka_event_t *ev) {
    size_t n;
    auto r = rd_kafka_ListOffsets_result_infos(rd_kafka_event_ListOffsets_result(Ev(ev)), &n);
    Tcl_Obj *list = Tcl_NewListObj(0, NULL);
    for (size_t i = 0; i < n; i++) {
        const rd_kafka_topic_partition_t *tp = rd_kafka_ListOffsetsResultInfo_topic_partition(r[i]);
        Tcl_Obj *d = PartitionResultObj(tp);
        DictPut(d, "offset", Tcl_NewWideIntObj(tp->offset));
        DictPut(d, "timestamp", Tcl_NewWideIntObj(rd_kafka_ListOffsetsResultInfo_timestamp(r[i])));
        Tcl_ListObjAppendElement(NULL, list, d);
    }
    return list;
}
#endif

#if KAFKATCL_RDKAFKA(2, 6)
// A list of {topic T partition P error E}
Tcl_Obj *ElectLeadersResult(const rd_kafka_event_t *ev) {
    size_t n;
    auto r = rd_kafka_ElectLeaders_result_partitions(rd_kafka_event_ElectLeaders_result(Ev(ev)), &n);
    Tcl_Obj *list = Tcl_NewListObj(0, NULL);
    for (size_t i = 0; i < n; i++) {
        const rd_kafka_error_t *error = rd_kafka_topic_partition_result_error(r[i]);
        Tcl_Obj *d = PartitionResultObj(rd_kafka_topic_partition_result_partition(r[i]));
        DictPut(d, "error", ErrName(error ? rd_kafka_error_code(error) : RD_KAFKA_RESP_ERR_NO_ERROR));
        Tcl_ListObjAppendElement(NULL, list, d);
    }
    return list;
}
#endif

// ---- the builders: a call's parsed words -> its request (rows: kAdminCalls) -------------
// `items`: the elements of the call's list word (rows with a listName).

using Items = std::vector<Tcl_Obj *>;
using AdminBuilder = int (*)(Handle *handle, const AdminArgs &args, const Items &items, AdminRequest *request);

// The request objects made from each item by `convert` (nullptr: it failed
// and left its error), or nullptr.
template <typename Array, typename Convert>
static std::shared_ptr<Array> ItemsToArray(const Items &items, Convert convert) {
    auto array = std::make_shared<Array>();
    for (Tcl_Obj *item : items) {
        auto *object = convert(item);
        if (!object) return nullptr;
        array->push_back(object);
    }
    return array;
}

// The names the items are, as C strings (alive as long as the items).
static std::shared_ptr<std::vector<const char *>> ItemNames(const Items &items) {
    auto names = std::make_shared<std::vector<const char *>>();
    for (Tcl_Obj *item : items) names->push_back(Tcl_GetString(item));
    return names;
}

// Sends all of `array` with a librdkafka call of the (rk, array, count,
// options, queue) shape.
template <typename Array, typename Call>
static AdminSend SendArray(std::shared_ptr<Array> array, Call call) {
    return [array, call](rd_kafka_t *rk, rd_kafka_AdminOptions_t *o, rd_kafka_queue_t *q) {
        call(rk, array->data(), array->size(), o, q);
    };
}

// Sends one request object with a call of the (rk, object, options, queue) shape.
template <typename T, typename Call>
static AdminSend SendOne(std::shared_ptr<T> object, Call call) {
    return [object, call](rd_kafka_t *rk, rd_kafka_AdminOptions_t *o, rd_kafka_queue_t *q) { call(rk, object.get(), o, q); };
}

// The one-request calls on a group and a partition list: {group partitions}.
template <typename Array, typename New>
static std::shared_ptr<Array> GroupRequest(Tcl_Interp *interp, const AdminArgs &args, bool withOffsets, New make) {
    PartitionListPtr parts;
    if (args.positional.size() == 2) {
        parts.reset(PartitionsFromObj(interp, args.positional[1], withOffsets));
        if (!parts) return nullptr;
    }
    auto request = std::make_shared<Array>();
    request->push_back(make(Tcl_GetString(args.positional[0]), parts.get()));
    return request;
}

static int BuildCreateTopics(Handle *h, const AdminArgs &, const Items &items, AdminRequest *r) {
    using Array = RequestArray<rd_kafka_NewTopic_t, rd_kafka_NewTopic_destroy_array>;
    auto topics = ItemsToArray<Array>(items, [h](Tcl_Obj *item) { return NewTopicFromObj(h->Interp(), item); });
    if (!topics) return TCL_ERROR;
    *r = {CreateTopicsResult, SendArray(topics, rd_kafka_CreateTopics), nullptr};
    return TCL_OK;
}

static int BuildDeleteTopics(Handle *, const AdminArgs &, const Items &items, AdminRequest *r) {
    using Array = RequestArray<rd_kafka_DeleteTopic_t, rd_kafka_DeleteTopic_destroy_array>;
    auto topics = ItemsToArray<Array>(items, [](Tcl_Obj *item) { return rd_kafka_DeleteTopic_new(Tcl_GetString(item)); });
    *r = {DeleteTopicsResult, SendArray(topics, rd_kafka_DeleteTopics), nullptr};
    return TCL_OK;
}

// {topic newTotalPartitions} -> a NewPartitions, or nullptr and an error.
static rd_kafka_NewPartitions_t *NewPartitionsFromObj(Tcl_Interp *interp, Tcl_Obj *item) {
    std::vector<Tcl_Obj *> f;
    int total;
    char errstr[256];
    if (ListElements(interp, item, "topic", &f) != TCL_OK || f.size() != 2) {
        ArgError(interp, std::string("bad item \"") + Tcl_GetString(item) + "\": must be {topic newTotalPartitions}");
        return nullptr;
    }
    if (GetInt(interp, f[1], "partition count", &total) != TCL_OK) return nullptr;
    rd_kafka_NewPartitions_t *np = rd_kafka_NewPartitions_new(Tcl_GetString(f[0]), (size_t)total, errstr, sizeof errstr);
    if (!np) ArgError(interp, errstr);
    return np;
}

static int BuildCreatePartitions(Handle *h, const AdminArgs &, const Items &items, AdminRequest *r) {
    using Array = RequestArray<rd_kafka_NewPartitions_t, rd_kafka_NewPartitions_destroy_array>;
    auto parts = ItemsToArray<Array>(items, [h](Tcl_Obj *item) { return NewPartitionsFromObj(h->Interp(), item); });
    if (!parts) return TCL_ERROR;
    *r = {CreatePartitionsResult, SendArray(parts, rd_kafka_CreatePartitions), nullptr};
    return TCL_OK;
}

using ConfigResources = RequestArray<rd_kafka_ConfigResource_t, rd_kafka_ConfigResource_destroy_array>;

// describe_configs and alter_configs: {{type name ?{key value ...}?} ...},
// each resource once.
static std::shared_ptr<ConfigResources> ConfigResourcesFromItems(Tcl_Interp *interp, const Items &items, bool alter) {
    std::set<std::pair<int, std::string>> seen;
    return ItemsToArray<ConfigResources>(items, [&](Tcl_Obj *item) -> rd_kafka_ConfigResource_t * {
        Owned<rd_kafka_ConfigResource_t, rd_kafka_ConfigResource_destroy> r(ResourceFromObj(interp, item, alter));
        if (!r) return nullptr;
        // librdkafka 2.0.2 sends a resource twice as asked: the broker's
        // answer then fails to parse (DescribeConfigs) or never completes
        // and stalls the handle's later admin calls (AlterConfigs).
        rd_kafka_ResourceType_t type = rd_kafka_ConfigResource_type(r.get());
        std::string name = rd_kafka_ConfigResource_name(r.get());
        int id;
        if (type == RD_KAFKA_RESOURCE_BROKER && Tcl_GetInt(nullptr, name.c_str(), &id) == TCL_OK) name = std::to_string(id);
        if (!seen.insert({type, name}).second) {
            ArgError(interp, std::string("duplicate resource \"") + rd_kafka_ResourceType_name(type) + " " +
                                 rd_kafka_ConfigResource_name(r.get()) + "\": each resource may be given once");
            return nullptr;
        }
        return r.release();
    });
}

static int BuildDescribeConfigs(Handle *h, const AdminArgs &, const Items &items, AdminRequest *r) {
    auto res = ConfigResourcesFromItems(h->Interp(), items, false);
    if (!res) return TCL_ERROR;
    *r = {DescribeConfigsResult, SendArray(res, rd_kafka_DescribeConfigs), nullptr};
    return TCL_OK;
}

static int BuildAlterConfigs(Handle *h, const AdminArgs &, const Items &items, AdminRequest *r) {
    auto res = ConfigResourcesFromItems(h->Interp(), items, true);
    if (!res) return TCL_ERROR;
    *r = {AlterConfigsResult, SendArray(res, rd_kafka_AlterConfigs), nullptr};
    return TCL_OK;
}

static int BuildDeleteRecords(Handle *h, const AdminArgs &args, const Items &, AdminRequest *r) {
    PartitionListPtr offsets(PartitionsFromObj(h->Interp(), args.positional[0], true));
    if (!offsets) return TCL_ERROR;
    auto dr = std::make_shared<RequestArray<rd_kafka_DeleteRecords_t, rd_kafka_DeleteRecords_destroy_array>>();
    dr->push_back(rd_kafka_DeleteRecords_new(offsets.get()));
    *r = {DeleteRecordsResult, SendArray(dr, rd_kafka_DeleteRecords), nullptr};
    return TCL_OK;
}

// list_groups ?groupTypes?: classic and/or consumer (librdkafka 2.6+)
static int BuildListGroups(Handle *h, const AdminArgs &args, const Items &, AdminRequest *r) {
    *r = {ListGroupsResult, [](rd_kafka_t *rk, rd_kafka_AdminOptions_t *o, rd_kafka_queue_t *q) { rd_kafka_ListConsumerGroups(rk, o, q); },
          nullptr};
    if (args.positional.empty()) return TCL_OK;
#if KAFKATCL_RDKAFKA(2, 6)
    std::vector<rd_kafka_consumer_group_type_t> types;
    if (GroupTypesFromObj(h->Interp(), args.positional[0], &types) != TCL_OK) return TCL_ERROR;
    if (!types.empty())
        r->prepare = [types](rd_kafka_AdminOptions_t *o) {
            return rd_kafka_AdminOptions_set_match_consumer_group_types(o, types.data(), types.size());
        };
    return TCL_OK;
#else
    return TooOld(h->Interp(), "list_groups groupTypes", "2.6.0");
#endif
}

static int BuildDescribeGroups(Handle *, const AdminArgs &, const Items &items, AdminRequest *r) {
    *r = {DescribeGroupsResult, SendArray(ItemNames(items), rd_kafka_DescribeConsumerGroups), nullptr};
    return TCL_OK;
}

static int BuildDeleteGroups(Handle *, const AdminArgs &, const Items &items, AdminRequest *r) {
    using Array = RequestArray<rd_kafka_DeleteGroup_t, rd_kafka_DeleteGroup_destroy_array>;
    auto groups = ItemsToArray<Array>(items, [](Tcl_Obj *item) { return rd_kafka_DeleteGroup_new(Tcl_GetString(item)); });
    *r = {DeleteGroupsResult, SendArray(groups, rd_kafka_DeleteGroups), nullptr};
    return TCL_OK;
}

// list_group_offsets group ?{{topic partition} ...}?
static int BuildListGroupOffsets(Handle *h, const AdminArgs &args, const Items &, AdminRequest *r) {
    using Array = RequestArray<rd_kafka_ListConsumerGroupOffsets_t, rd_kafka_ListConsumerGroupOffsets_destroy_array>;
    auto req = GroupRequest<Array>(h->Interp(), args, false, rd_kafka_ListConsumerGroupOffsets_new);
    if (!req) return TCL_ERROR;
    *r = {ListGroupOffsetsResult, SendArray(req, rd_kafka_ListConsumerGroupOffsets), nullptr};
    return TCL_OK;
}

// alter_group_offsets group {{topic partition offset} ...}
static int BuildAlterGroupOffsets(Handle *h, const AdminArgs &args, const Items &, AdminRequest *r) {
    using Array = RequestArray<rd_kafka_AlterConsumerGroupOffsets_t, rd_kafka_AlterConsumerGroupOffsets_destroy_array>;
    auto req = GroupRequest<Array>(h->Interp(), args, true, rd_kafka_AlterConsumerGroupOffsets_new);
    if (!req) return TCL_ERROR;
    *r = {AlterGroupOffsetsResult, SendArray(req, rd_kafka_AlterConsumerGroupOffsets), nullptr};
    return TCL_OK;
}

// delete_group_offsets group {{topic partition} ...}
static int BuildDeleteGroupOffsets(Handle *h, const AdminArgs &args, const Items &, AdminRequest *r) {
    using Array = RequestArray<rd_kafka_DeleteConsumerGroupOffsets_t, rd_kafka_DeleteConsumerGroupOffsets_destroy_array>;
    auto req = GroupRequest<Array>(h->Interp(), args, false, rd_kafka_DeleteConsumerGroupOffsets_new);
    if (!req) return TCL_ERROR;
    *r = {DeleteGroupOffsetsResult, SendArray(req, rd_kafka_DeleteConsumerGroupOffsets), nullptr};
    return TCL_OK;
}

using AclArray = RequestArray<rd_kafka_AclBinding_t, rd_kafka_AclBinding_destroy_array>;

// create_acls {acl ...}
static int BuildCreateAcls(Handle *h, const AdminArgs &, const Items &items, AdminRequest *r) {
    auto acls = ItemsToArray<AclArray>(items, [h](Tcl_Obj *item) { return AclFromObj(h->Interp(), item, false); });
    if (!acls) return TCL_ERROR;
    *r = {CreateAclsResult, SendArray(acls, rd_kafka_CreateAcls), nullptr};
    return TCL_OK;
}

// delete_acls {aclFilter ...}
static int BuildDeleteAcls(Handle *h, const AdminArgs &, const Items &items, AdminRequest *r) {
    auto filters = ItemsToArray<AclArray>(items, [h](Tcl_Obj *item) { return AclFromObj(h->Interp(), item, true); });
    if (!filters) return TCL_ERROR;
    *r = {DeleteAclsResult, SendArray(filters, rd_kafka_DeleteAcls), nullptr};
    return TCL_OK;
}

// describe_acls aclFilter
static int BuildDescribeAcls(Handle *h, const AdminArgs &args, const Items &, AdminRequest *r) {
    Owned<rd_kafka_AclBindingFilter_t, rd_kafka_AclBinding_destroy> filter(AclFromObj(h->Interp(), args.positional[0], true));
    if (!filter) return TCL_ERROR;
    *r = {DescribeAclsResult, SendOne(std::shared_ptr<rd_kafka_AclBindingFilter_t>(std::move(filter)), rd_kafka_DescribeAcls),
          nullptr};
    return TCL_OK;
}

// ---- the builders of the calls of newer librdkafka versions -----------------------------
// Each call is a command on every build (compile-time detection:
// RD_KAFKA_VERSION of the headers built against); built against an older
// librdkafka its builder is nullptr and it raises _UNSUPPORTED_FEATURE
// naming the version its row says it needs.

#if KAFKATCL_RDKAFKA(2, 3)
// describe_cluster
static int BuildDescribeCluster(Handle *, const AdminArgs &, const Items &, AdminRequest *r) {
    *r = {DescribeClusterResult,
          [](rd_kafka_t *rk, rd_kafka_AdminOptions_t *o, rd_kafka_queue_t *q) { rd_kafka_DescribeCluster(rk, o, q); }, nullptr};
    return TCL_OK;
}

// describe_topics topicList
static int BuildDescribeTopics(Handle *, const AdminArgs &, const Items &items, AdminRequest *r) {
    std::shared_ptr<std::vector<const char *>> names = ItemNames(items);
    std::shared_ptr<rd_kafka_TopicCollection_t> topics(rd_kafka_TopicCollection_of_topic_names(names->data(), names->size()),
                                                       rd_kafka_TopicCollection_destroy);
    *r = {DescribeTopicsResult, SendOne(topics, rd_kafka_DescribeTopics), nullptr};
    return TCL_OK;
}

// {topic partition earliest|latest|max_timestamp|timestampMs} -> added to `parts`
static int AddOffsetSpec(Tcl_Interp *interp, Tcl_Obj *item, rd_kafka_topic_partition_list_t *parts) {
    std::vector<Tcl_Obj *> f;
    int partition, spec = -1;
    Tcl_WideInt ts;
    if (ListElements(interp, item, "offset spec", &f) != TCL_OK || f.size() != 3)
        return ArgError(interp, std::string("bad offset spec \"") + Tcl_GetString(item) +
                                    "\": must be {topic partition earliest|latest|max_timestamp|timestampMs}");
    if (GetInt(interp, f[1], "partition", &partition) != TCL_OK) return TCL_ERROR;
    if (Tcl_GetWideIntFromObj(nullptr, f[2], &ts) != TCL_OK) {
        if (GetName(interp, f[2], "offset spec", {"max_timestamp", "earliest", "latest"}, &spec) != TCL_OK) return TCL_ERROR;
        ts = spec - 3; // RD_KAFKA_OFFSET_SPEC_MAX_TIMESTAMP (-3) .. _LATEST (-1)
    } else if (ts < 0) {
        return ArgError(interp, std::string("bad timestamp \"") + Tcl_GetString(f[2]) + "\": must be 0 or more milliseconds");
    }
    rd_kafka_topic_partition_list_add(parts, Tcl_GetString(f[0]), partition)->offset = ts;
    return TCL_OK;
}

// list_offsets {{topic partition earliest|latest|max_timestamp|timestampMs} ...}
static int BuildListOffsets(Handle *h, const AdminArgs &, const Items &items, AdminRequest *r) {
    PartitionListPtr parts(rd_kafka_topic_partition_list_new((int)items.size()));
    for (Tcl_Obj *item : items)
        if (AddOffsetSpec(h->Interp(), item, parts.get()) != TCL_OK) return TCL_ERROR;
    *r = {ListOffsetsResult, SendOne(std::shared_ptr<rd_kafka_topic_partition_list_t>(std::move(parts)), rd_kafka_ListOffsets),
          nullptr};
    return TCL_OK;
}
#else
constexpr AdminBuilder BuildDescribeCluster = nullptr, BuildDescribeTopics = nullptr, BuildListOffsets = nullptr;
#endif

#if KAFKATCL_RDKAFKA(2, 2)
// {type name {{set|delete|append|subtract key ?value?} ...}} -> a ConfigResource, or nullptr and an error.
static rd_kafka_ConfigResource_t *IncrementalResourceFromObj(Tcl_Interp *interp, Tcl_Obj *item) {
    std::vector<Tcl_Obj *> f, ops;
    if (ListElements(interp, item, "resource", &f) != TCL_OK || f.size() != 3 ||
        ListElements(interp, f[2], "operations", &ops) != TCL_OK) {
        ArgError(interp, std::string("bad resource \"") + Tcl_GetString(item) +
                             "\": must be {type name {{set|delete|append|subtract key ?value?} ...}}");
        return nullptr;
    }
    ObjRef typeName(Tcl_NewListObj(2, f.data()));
    Owned<rd_kafka_ConfigResource_t, rd_kafka_ConfigResource_destroy> r(ResourceFromObj(interp, typeName.get(), false));
    if (!r) return nullptr;
    for (Tcl_Obj *opObj : ops) {
        std::vector<Tcl_Obj *> o;
        int op;
        if (ListElements(interp, opObj, "operation", &o) != TCL_OK || o.size() < 2 || o.size() > 3) {
            ArgError(interp, std::string("bad operation \"") + Tcl_GetString(opObj) + "\": must be {set|delete|append|subtract key ?value?}");
            return nullptr;
        }
        if (GetName(interp, o[0], "operation", {"set", "delete", "append", "subtract"}, &op) != TCL_OK) return nullptr;
        rd_kafka_error_t *error = rd_kafka_ConfigResource_add_incremental_config(
            r.get(), Tcl_GetString(o[1]), (rd_kafka_AlterConfigOpType_t)op, o.size() == 3 ? Tcl_GetString(o[2]) : nullptr);
        if (error) {
            RdError(interp, error, "incremental_alter_configs");
            return nullptr;
        }
    }
    return r.release();
}

// incremental_alter_configs {{type name {{set|delete|append|subtract key ?value?} ...}} ...}
static int BuildIncrementalAlterConfigs(Handle *h, const AdminArgs &, const Items &items, AdminRequest *r) {
    auto res = ItemsToArray<ConfigResources>(items, [h](Tcl_Obj *item) { return IncrementalResourceFromObj(h->Interp(), item); });
    if (!res) return TCL_ERROR;
    *r = {IncrementalAlterConfigsResult, SendArray(res, rd_kafka_IncrementalAlterConfigs), nullptr};
    return TCL_OK;
}

// describe_user_scram_credentials ?userList?
static int BuildDescribeUserScramCredentials(Handle *, const AdminArgs &, const Items &items, AdminRequest *r) {
    *r = {DescribeScramResult, SendArray(ItemNames(items), rd_kafka_DescribeUserScramCredentials), nullptr};
    return TCL_OK;
}

// alter_user_scram_credentials {alteration ...}
static int BuildAlterUserScramCredentials(Handle *h, const AdminArgs &, const Items &items, AdminRequest *r) {
    using Array = RequestArray<rd_kafka_UserScramCredentialAlteration_t, rd_kafka_UserScramCredentialAlteration_destroy_array>;
    auto alts = ItemsToArray<Array>(items, [h](Tcl_Obj *item) { return ScramAlterationFromObj(h->Interp(), item); });
    if (!alts) return TCL_ERROR;
    *r = {AlterScramResult, SendArray(alts, rd_kafka_AlterUserScramCredentials), nullptr};
    return TCL_OK;
}
#else
constexpr AdminBuilder BuildIncrementalAlterConfigs = nullptr, BuildDescribeUserScramCredentials = nullptr,
                       BuildAlterUserScramCredentials = nullptr;
#endif

#if KAFKATCL_RDKAFKA(2, 6)
// elect_leaders preferred|unclean ?{{topic partition} ...}?
static int BuildElectLeaders(Handle *h, const AdminArgs &args, const Items &, AdminRequest *r) {
    Tcl_Interp *interp = h->Interp();
    int type;
    if (GetName(interp, args.positional[0], "election type", {"preferred", "unclean"}, &type) != TCL_OK) return TCL_ERROR;
    PartitionListPtr parts;
    if (args.positional.size() == 2) {
        parts.reset(PartitionsFromObj(interp, args.positional[1], false));
        if (!parts) return TCL_ERROR;
    }
    std::shared_ptr<rd_kafka_ElectLeaders_t> req(rd_kafka_ElectLeaders_new((rd_kafka_ElectionType_t)type, parts.get()),
                                                 rd_kafka_ElectLeaders_destroy);
    *r = {ElectLeadersResult, SendOne(req, rd_kafka_ElectLeaders), nullptr};
    return TCL_OK;
}
#else
constexpr AdminBuilder BuildElectLeaders = nullptr;
#endif

// ---- the admin calls: one row each -----------------------------------------------------

// One admin call: its handle method's name, the usage of its positional
// words (the options are added), their counts, and the rest of its facts.
struct AdminCallDef {
    const char *name;
    const char *words;
    size_t minWords, maxWords;
    const char *listName;    // its one word is a list of items (its name in errors), or nullptr
    bool validate;           // it takes -validate
    bool refusedOnMock;      // see RefuseOnMock
    const char *needs;       // the librdkafka version it needs (when `build` is nullptr)
    AdminBuilder build;      // nullptr: built against an older librdkafka
};

// The "bad method" list shows them in this order.
static const AdminCallDef kAdminCalls[] = {
    {"create_topics", "{{topic partitions ?replicationFactor? ?{key value ...}?} ...}", 1, 1, "topics", true, false, nullptr,
     BuildCreateTopics},
    {"delete_topics", "topicList", 1, 1, "topicList", false, false, nullptr, BuildDeleteTopics},
    {"create_partitions", "{{topic newTotalPartitions} ...}", 1, 1, "topics", true, false, nullptr, BuildCreatePartitions},
    {"describe_configs", "{{type name} ...}", 1, 1, "resources", false, false, nullptr, BuildDescribeConfigs},
    {"alter_configs", "{{type name {key value ...}} ...}", 1, 1, "resources", true, false, nullptr, BuildAlterConfigs},
    {"delete_records", "{{topic partition offset} ...}", 1, 1, "offsets", false, false, nullptr, BuildDeleteRecords},
    {"list_groups", "?groupTypes?", 0, 1, nullptr, false, false, nullptr, BuildListGroups},
    {"describe_groups", "groupList", 1, 1, "groupList", false, true, nullptr, BuildDescribeGroups},
    {"delete_groups", "groupList", 1, 1, "groupList", false, true, nullptr, BuildDeleteGroups},
    {"list_group_offsets", "group ?{{topic partition} ...}?", 1, 2, nullptr, false, true, nullptr, BuildListGroupOffsets},
    {"alter_group_offsets", "group {{topic partition offset} ...}", 2, 2, nullptr, false, true, nullptr, BuildAlterGroupOffsets},
    {"delete_group_offsets", "group {{topic partition} ...}", 2, 2, nullptr, false, true, nullptr, BuildDeleteGroupOffsets},
    {"create_acls", "{acl ...}", 1, 1, "aclList", false, false, nullptr, BuildCreateAcls},
    {"describe_acls", "aclFilter", 1, 1, nullptr, false, false, nullptr, BuildDescribeAcls},
    {"delete_acls", "{aclFilter ...}", 1, 1, "filterList", false, false, nullptr, BuildDeleteAcls},
    {"describe_cluster", "", 0, 0, nullptr, false, false, "2.3.0", BuildDescribeCluster},
    {"describe_topics", "topicList", 1, 1, "topicList", false, false, "2.3.0", BuildDescribeTopics},
    {"list_offsets", "{{topic partition earliest|latest|max_timestamp|timestampMs} ...}", 1, 1, "offsetSpecs", false, false,
     "2.3.0", BuildListOffsets},
    {"incremental_alter_configs", "{{type name {{set|delete|append|subtract key ?value?} ...}} ...}", 1, 1, "resources", true,
     false, "2.2.0", BuildIncrementalAlterConfigs},
    {"describe_user_scram_credentials", "?userList?", 0, 1, "userList", false, false, "2.2.0",
     BuildDescribeUserScramCredentials},
    {"alter_user_scram_credentials", "{alteration ...}", 1, 1, "alterations", false, false, "2.2.0",
     BuildAlterUserScramCredentials},
    {"elect_leaders", "preferred|unclean ?{{topic partition} ...}?", 1, 2, nullptr, false, false, "2.6.0", BuildElectLeaders},
};

// Every admin call's handler: options and words -> builder -> RunAdmin.
static int RunAdminCall(Handle *handle, const MethodDef<Handle> &row, int objc, Tcl_Obj *const objv[]) {
    const AdminCallDef &call = *static_cast<const AdminCallDef *>(row.data);
    Tcl_Interp *interp = handle->Interp();
    if (!call.build) return TooOld(interp, call.name, call.needs); // whatever its arguments
    AdminArgs args;
    if (ParseAdminArgs(interp, call.validate, objc, objv, &args) != TCL_OK) return TCL_ERROR;
    size_t n = args.positional.size();
    if (n < call.minWords || n > call.maxWords) return kWrongArgs; // options anywhere: counted after parsing
    Items items;
    if (call.listName && n && ListElements(interp, args.positional[0], call.listName, &items) != TCL_OK) return TCL_ERROR;
    AdminRequest request;
    if (call.build(handle, args, items, &request) != TCL_OK) return TCL_ERROR;
    if (call.refusedOnMock && RefuseOnMock(handle, call.name) != TCL_OK) return TCL_ERROR;
    return RunAdmin(handle, args, request);
}

std::vector<MethodDef<Handle>> AdminMethodRows(unsigned kinds) {
    static std::string usages[std::size(kAdminCalls)]; // the rows point into these
    std::vector<MethodDef<Handle>> rows;
    for (size_t i = 0; i < std::size(kAdminCalls); i++) {
        const AdminCallDef &call = kAdminCalls[i];
        usages[i] = std::string(call.words) + (*call.words ? " " : "") + (call.validate ? "?-validate? " : "") +
                    "?-timeout ms? ?-command cmd|-await?";
        // A build too old for it raises _UNSUPPORTED_FEATURE whatever its words.
        int minArgs = call.build ? (int)call.minWords : 0;
        MethodDef<Handle> row{call.name, nullptr, minArgs, kAnyArgs, usages[i].c_str(), kinds};
        row.call = RunAdminCall;
        row.data = &call;
        rows.push_back(row);
    }
    return rows;
}

bool AdminRefusedOnMock(const char *method) {
    for (const AdminCallDef &call : kAdminCalls)
        if (!strcmp(call.name, method)) return call.refusedOnMock;
    return false;
}

// The admin facet of the handle's method table, NULL-terminated (the fuzzer's list).
static const char *const *AdminNames() {
    static std::vector<const char *> names = [] {
        std::vector<const char *> v = Handle::MethodNames(Handle::kAdminFacet);
        v.push_back(nullptr);
        return v;
    }();
    return names.data();
}
const char *const *const kAdminMethods = AdminNames();

} // namespace kafkatcl
