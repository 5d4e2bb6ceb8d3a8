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
    enum { TIMEOUT, VALIDATE, COMMAND, AWAIT };
    static const OptionSpec withValidate[] = {
        {"-timeout", true}, {"-validate", false}, {"-command", true}, {"-await", false}};
    static const OptionSpec withoutValidate[] = {{"-timeout", true}, {"-command", true}, {"-await", false}};
    static const OptionParser parseWith(withValidate, OptionParser::Anywhere, true);
    static const OptionParser parseWithout(withoutValidate, OptionParser::Anywhere, true);
    ParsedOptions options;
    if ((validate ? parseWith : parseWithout).Parse(interp, objc, objv, 2, nullptr, &options) != TCL_OK) return TCL_ERROR;
    int command = validate ? COMMAND : COMMAND - 1;
    args->positional = options.Positional();
    args->validate = validate && options.Has(VALIDATE);
    if (options.Has(TIMEOUT)) {
        if (GetTimeout(interp, options.Get(TIMEOUT), &args->timeout) != TCL_OK) return TCL_ERROR;
        // librdkafka's range for admin timeouts; outside it, it silently kept its default.
        if (args->timeout < 0 || args->timeout > 3600000)
            return ArgError(interp, "-timeout must be between 0 and 3600000 milliseconds");
    }
    if (options.Has(command)) args->command = CallbackArg(options.Get(command));
    args->await = options.Has(command + 1);
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

// Sends nothing itself: `send` issues the librdkafka call on (options, queue);
// `prepare`, if any, sets a call's own options first (its error is raised).
using AdminPrepare = std::function<rd_kafka_error_t *(rd_kafka_AdminOptions_t *)>;
static int RunAdmin(Handle *handle, const AdminArgs &args, AdminConverter convert,
                    const std::function<void(rd_kafka_AdminOptions_t *, rd_kafka_queue_t *)> &send,
                    const AdminPrepare &prepare = nullptr) {
    Tcl_Interp *interp = handle->Interp();
    rd_kafka_t *rk = handle->Kafka();
    AdminOptionsPtr options(rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_ANY));
    char errstr[256];
    rd_kafka_AdminOptions_set_request_timeout(options.get(), args.timeout, errstr, sizeof errstr);
    rd_kafka_AdminOptions_set_operation_timeout(options.get(), args.timeout, errstr, sizeof errstr);
    if (args.validate && rd_kafka_AdminOptions_set_validate_only(options.get(), 1, errstr, sizeof errstr))
        return ArgError(interp, errstr);
    if (prepare) {
        if (rd_kafka_error_t *error = prepare(options.get())) return RdError(interp, error, args.method.c_str());
    }
    std::shared_ptr<Await> await;
    if (args.await && !(await = Await::Begin(interp, (args.method + " -await").c_str()))) return TCL_ERROR;
    QueuePtr queue(rd_kafka_queue_new(rk));
    send(options.get(), queue.get());
    if (args.command || await) {
        auto pending = std::make_shared<AdminPending>(handle, queue.release(), convert, args.command.get(), await);
        handle->KeepPending(pending);
        pending->Start();
        return await ? Await::Suspend(interp, await) : TCL_OK;
    }
    // Synchronous: librdkafka enforces the timeout; the margin only guards against a lost reply.
    rd_kafka_event_t *event = rd_kafka_queue_poll(queue.get(), args.timeout + 5000);
    if (!event) {
        // librdkafka still owns the request: keep its reply queue alive until
        // the reply comes (an orphan with no command just discards it).
        auto orphan = std::make_shared<AdminPending>(handle, queue.release(), convert, nullptr, nullptr);
        handle->KeepPending(orphan);
        orphan->Start();
        return KafkaError(interp, RD_KAFKA_RESP_ERR__TIMED_OUT, "admin request timed out");
    }
    Tcl_Obj *result = nullptr;
    int code = AdminEventResult(interp, event, convert, &result);
    rd_kafka_event_destroy(event);
    if (code == TCL_OK) Tcl_SetObjResult(interp, result);
    return code;
}

// ---- the methods (their rows: handle.cpp) ---------------------------------------------------

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

// An admin call's options and its positional words, minWords to maxWords of
// them (else kWrongArgs: the row's usage). `validate`: it takes -validate.
static int AdminWords(Tcl_Interp *interp, int objc, Tcl_Obj *const objv[], bool validate, size_t minWords,
                      size_t maxWords, AdminArgs *args) {
    if (ParseAdminArgs(interp, validate, objc, objv, args) != TCL_OK) return TCL_ERROR;
    size_t n = args->positional.size();
    return n < minWords || n > maxWords ? kWrongArgs : TCL_OK;
}

// ... for the calls whose one positional word is a list (`listName` in errors).
static int AdminList(Tcl_Interp *interp, int objc, Tcl_Obj *const objv[], bool validate, const char *listName,
                     AdminArgs *args, std::vector<Tcl_Obj *> *items) {
    if (int code = AdminWords(interp, objc, objv, validate, 1, 1, args)) return code;
    return ListElements(interp, args->positional[0], listName, items);
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

int Handle::CreateTopics(int objc, Tcl_Obj *const objv[]) {
    AdminArgs args;
    std::vector<Tcl_Obj *> items;
    if (int code = AdminList(interp_, objc, objv, true, "topics", &args, &items)) return code;
    RequestArray<rd_kafka_NewTopic_t, rd_kafka_NewTopic_destroy_array> topics;
    for (Tcl_Obj *item : items) {
        rd_kafka_NewTopic_t *nt = NewTopicFromObj(interp_, item);
        if (!nt) return TCL_ERROR;
        topics.push_back(nt);
    }
    return RunAdmin(this, args, CreateTopicsResult, [&](rd_kafka_AdminOptions_t *o, rd_kafka_queue_t *q) {
        rd_kafka_CreateTopics(rk_.get(), topics.data(), topics.size(), o, q);
    });
}

int Handle::DeleteTopics(int objc, Tcl_Obj *const objv[]) {
    AdminArgs args;
    std::vector<Tcl_Obj *> items;
    if (int code = AdminList(interp_, objc, objv, false, "topicList", &args, &items)) return code;
    RequestArray<rd_kafka_DeleteTopic_t, rd_kafka_DeleteTopic_destroy_array> topics;
    for (Tcl_Obj *item : items) topics.push_back(rd_kafka_DeleteTopic_new(Tcl_GetString(item)));
    return RunAdmin(this, args, DeleteTopicsResult, [&](rd_kafka_AdminOptions_t *o, rd_kafka_queue_t *q) {
        rd_kafka_DeleteTopics(rk_.get(), topics.data(), topics.size(), o, q);
    });
}

int Handle::CreatePartitions(int objc, Tcl_Obj *const objv[]) {
    AdminArgs args;
    std::vector<Tcl_Obj *> items;
    if (int code = AdminList(interp_, objc, objv, true, "topics", &args, &items)) return code;
    RequestArray<rd_kafka_NewPartitions_t, rd_kafka_NewPartitions_destroy_array> parts;
    for (Tcl_Obj *item : items) {
        std::vector<Tcl_Obj *> f;
        int total;
        char errstr[256];
        if (ListElements(interp_, item, "topic", &f) != TCL_OK || f.size() != 2)
            return ArgError(interp_, std::string("bad item \"") + Tcl_GetString(item) + "\": must be {topic newTotalPartitions}");
        if (GetInt(interp_, f[1], "partition count", &total) != TCL_OK) return TCL_ERROR;
        rd_kafka_NewPartitions_t *np = rd_kafka_NewPartitions_new(Tcl_GetString(f[0]), (size_t)total, errstr, sizeof errstr);
        if (!np) return ArgError(interp_, errstr);
        parts.push_back(np);
    }
    return RunAdmin(this, args, CreatePartitionsResult, [&](rd_kafka_AdminOptions_t *o, rd_kafka_queue_t *q) {
        rd_kafka_CreatePartitions(rk_.get(), parts.data(), parts.size(), o, q);
    });
}

// describe_configs and alter_configs: {{type name ?{key value ...}?} ...}
static int ConfigResources(Handle *handle, int objc, Tcl_Obj *const objv[], bool alter) {
    Tcl_Interp *interp = handle->Interp();
    AdminArgs args;
    std::vector<Tcl_Obj *> items;
    if (int code = AdminList(interp, objc, objv, alter, "resources", &args, &items)) return code;
    RequestArray<rd_kafka_ConfigResource_t, rd_kafka_ConfigResource_destroy_array> res;
    std::set<std::pair<int, std::string>> seen;
    for (Tcl_Obj *item : items) {
        rd_kafka_ConfigResource_t *r = ResourceFromObj(interp, item, alter);
        if (!r) return TCL_ERROR;
        res.push_back(r);
        // librdkafka 2.0.2 sends a resource twice as asked: the broker's
        // answer then fails to parse (DescribeConfigs) or never completes
        // and stalls the handle's later admin calls (AlterConfigs).
        rd_kafka_ResourceType_t type = rd_kafka_ConfigResource_type(r);
        std::string name = rd_kafka_ConfigResource_name(r);
        int id;
        if (type == RD_KAFKA_RESOURCE_BROKER && Tcl_GetInt(nullptr, name.c_str(), &id) == TCL_OK) name = std::to_string(id);
        if (!seen.insert({type, name}).second) {
            return ArgError(interp, std::string("duplicate resource \"") + rd_kafka_ResourceType_name(type) + " " +
                                        rd_kafka_ConfigResource_name(r) + "\": each resource may be given once");
        }
    }
    rd_kafka_t *rk = handle->Kafka();
    return RunAdmin(handle, args, alter ? AlterConfigsResult : DescribeConfigsResult,
                    [&](rd_kafka_AdminOptions_t *o, rd_kafka_queue_t *q) {
                        if (alter) rd_kafka_AlterConfigs(rk, res.data(), res.size(), o, q);
                        else rd_kafka_DescribeConfigs(rk, res.data(), res.size(), o, q);
                    });
}

int Handle::DescribeConfigs(int objc, Tcl_Obj *const objv[]) { return ConfigResources(this, objc, objv, false); }
int Handle::AlterConfigs(int objc, Tcl_Obj *const objv[]) { return ConfigResources(this, objc, objv, true); }

int Handle::DeleteRecords(int objc, Tcl_Obj *const objv[]) {
    AdminArgs args;
    std::vector<Tcl_Obj *> items;
    if (int code = AdminList(interp_, objc, objv, false, "offsets", &args, &items)) return code;
    PartitionListPtr offsets(PartitionsFromObj(interp_, args.positional[0], true));
    if (!offsets) return TCL_ERROR;
    RequestArray<rd_kafka_DeleteRecords_t, rd_kafka_DeleteRecords_destroy_array> dr;
    dr.push_back(rd_kafka_DeleteRecords_new(offsets.get()));
    return RunAdmin(this, args, DeleteRecordsResult, [&](rd_kafka_AdminOptions_t *o, rd_kafka_queue_t *q) {
        rd_kafka_DeleteRecords(rk_.get(), dr.data(), dr.size(), o, q);
    });
}

// list_groups ?groupTypes?: classic and/or consumer (librdkafka 2.6+)
int Handle::ListGroups(int objc, Tcl_Obj *const objv[]) {
    AdminArgs args;
    if (int code = AdminWords(interp_, objc, objv, false, 0, 1, &args)) return code;
    AdminPrepare prepare;
    if (!args.positional.empty()) {
#if KAFKATCL_RDKAFKA(2, 6)
        std::vector<rd_kafka_consumer_group_type_t> types;
        if (GroupTypesFromObj(interp_, args.positional[0], &types) != TCL_OK) return TCL_ERROR;
        if (!types.empty())
            prepare = [types](rd_kafka_AdminOptions_t *o) {
                return rd_kafka_AdminOptions_set_match_consumer_group_types(o, types.data(), types.size());
            };
#else
        return TooOld(interp_, "list_groups groupTypes", "2.6.0");
#endif
    }
    return RunAdmin(this, args, ListGroupsResult,
                    [&](rd_kafka_AdminOptions_t *o, rd_kafka_queue_t *q) { rd_kafka_ListConsumerGroups(rk_.get(), o, q); },
                    prepare);
}

int Handle::DescribeGroups(int objc, Tcl_Obj *const objv[]) {
    AdminArgs args;
    std::vector<Tcl_Obj *> items;
    if (int code = AdminList(interp_, objc, objv, false, "groupList", &args, &items)) return code;
    std::vector<const char *> groups;
    for (Tcl_Obj *item : items) groups.push_back(Tcl_GetString(item));
    if (RefuseOnMock(this, "describe_groups") != TCL_OK) return TCL_ERROR;
    return RunAdmin(this, args, DescribeGroupsResult, [&](rd_kafka_AdminOptions_t *o, rd_kafka_queue_t *q) {
        rd_kafka_DescribeConsumerGroups(rk_.get(), groups.data(), groups.size(), o, q);
    });
}

int Handle::DeleteGroups(int objc, Tcl_Obj *const objv[]) {
    AdminArgs args;
    std::vector<Tcl_Obj *> items;
    if (int code = AdminList(interp_, objc, objv, false, "groupList", &args, &items)) return code;
    RequestArray<rd_kafka_DeleteGroup_t, rd_kafka_DeleteGroup_destroy_array> groups;
    for (Tcl_Obj *item : items) groups.push_back(rd_kafka_DeleteGroup_new(Tcl_GetString(item)));
    if (RefuseOnMock(this, "delete_groups") != TCL_OK) return TCL_ERROR;
    return RunAdmin(this, args, DeleteGroupsResult, [&](rd_kafka_AdminOptions_t *o, rd_kafka_queue_t *q) {
        rd_kafka_DeleteGroups(rk_.get(), groups.data(), groups.size(), o, q);
    });
}

// list_group_offsets group ?{{topic partition} ...}?
int Handle::ListGroupOffsets(int objc, Tcl_Obj *const objv[]) {
    AdminArgs args;
    if (int code = AdminWords(interp_, objc, objv, false, 1, 2, &args)) return code;
    PartitionListPtr parts;
    if (args.positional.size() == 2) {
        parts.reset(PartitionsFromObj(interp_, args.positional[1], false));
        if (!parts) return TCL_ERROR;
    }
    RequestArray<rd_kafka_ListConsumerGroupOffsets_t, rd_kafka_ListConsumerGroupOffsets_destroy_array> req;
    req.push_back(rd_kafka_ListConsumerGroupOffsets_new(Tcl_GetString(args.positional[0]), parts.get()));
    if (RefuseOnMock(this, "list_group_offsets") != TCL_OK) return TCL_ERROR;
    return RunAdmin(this, args, ListGroupOffsetsResult, [&](rd_kafka_AdminOptions_t *o, rd_kafka_queue_t *q) {
        rd_kafka_ListConsumerGroupOffsets(rk_.get(), req.data(), req.size(), o, q);
    });
}

// alter_group_offsets group {{topic partition offset} ...}
int Handle::AlterGroupOffsets(int objc, Tcl_Obj *const objv[]) {
    AdminArgs args;
    if (int code = AdminWords(interp_, objc, objv, false, 2, 2, &args)) return code;
    PartitionListPtr parts(PartitionsFromObj(interp_, args.positional[1], true));
    if (!parts) return TCL_ERROR;
    RequestArray<rd_kafka_AlterConsumerGroupOffsets_t, rd_kafka_AlterConsumerGroupOffsets_destroy_array> req;
    req.push_back(rd_kafka_AlterConsumerGroupOffsets_new(Tcl_GetString(args.positional[0]), parts.get()));
    if (RefuseOnMock(this, "alter_group_offsets") != TCL_OK) return TCL_ERROR;
    return RunAdmin(this, args, AlterGroupOffsetsResult, [&](rd_kafka_AdminOptions_t *o, rd_kafka_queue_t *q) {
        rd_kafka_AlterConsumerGroupOffsets(rk_.get(), req.data(), req.size(), o, q);
    });
}

// delete_group_offsets group {{topic partition} ...}
int Handle::DeleteGroupOffsets(int objc, Tcl_Obj *const objv[]) {
    AdminArgs args;
    if (int code = AdminWords(interp_, objc, objv, false, 2, 2, &args)) return code;
    PartitionListPtr parts(PartitionsFromObj(interp_, args.positional[1], false));
    if (!parts) return TCL_ERROR;
    RequestArray<rd_kafka_DeleteConsumerGroupOffsets_t, rd_kafka_DeleteConsumerGroupOffsets_destroy_array> req;
    req.push_back(rd_kafka_DeleteConsumerGroupOffsets_new(Tcl_GetString(args.positional[0]), parts.get()));
    if (RefuseOnMock(this, "delete_group_offsets") != TCL_OK) return TCL_ERROR;
    return RunAdmin(this, args, DeleteGroupOffsetsResult, [&](rd_kafka_AdminOptions_t *o, rd_kafka_queue_t *q) {
        rd_kafka_DeleteConsumerGroupOffsets(rk_.get(), req.data(), req.size(), o, q);
    });
}

// create_acls {acl ...} and delete_acls {aclFilter ...}
static int AclBindings(Handle *handle, int objc, Tcl_Obj *const objv[], bool filters) {
    Tcl_Interp *interp = handle->Interp();
    AdminArgs args;
    std::vector<Tcl_Obj *> items;
    if (int code = AdminList(interp, objc, objv, false, filters ? "filterList" : "aclList", &args, &items)) return code;
    RequestArray<rd_kafka_AclBinding_t, rd_kafka_AclBinding_destroy_array> acls;
    for (Tcl_Obj *item : items) {
        rd_kafka_AclBinding_t *acl = AclFromObj(interp, item, filters);
        if (!acl) return TCL_ERROR;
        acls.push_back(acl);
    }
    rd_kafka_t *rk = handle->Kafka();
    return RunAdmin(handle, args, filters ? DeleteAclsResult : CreateAclsResult,
                    [&](rd_kafka_AdminOptions_t *o, rd_kafka_queue_t *q) {
                        if (filters) rd_kafka_DeleteAcls(rk, acls.data(), acls.size(), o, q);
                        else rd_kafka_CreateAcls(rk, acls.data(), acls.size(), o, q);
                    });
}

int Handle::CreateAcls(int objc, Tcl_Obj *const objv[]) { return AclBindings(this, objc, objv, false); }
int Handle::DeleteAcls(int objc, Tcl_Obj *const objv[]) { return AclBindings(this, objc, objv, true); }

// describe_acls aclFilter
int Handle::DescribeAcls(int objc, Tcl_Obj *const objv[]) {
    AdminArgs args;
    if (int code = AdminWords(interp_, objc, objv, false, 1, 1, &args)) return code;
    Owned<rd_kafka_AclBindingFilter_t, rd_kafka_AclBinding_destroy> filter(AclFromObj(interp_, args.positional[0], true));
    if (!filter) return TCL_ERROR;
    return RunAdmin(this, args, DescribeAclsResult,
                    [&](rd_kafka_AdminOptions_t *o, rd_kafka_queue_t *q) { rd_kafka_DescribeAcls(rk_.get(), filter.get(), o, q); });
}

// ---- the calls of newer librdkafka versions ----------------------------------------------
// Each is a command on every build (compile-time detection: RD_KAFKA_VERSION
// of the headers built against); with an older librdkafka it raises
// _UNSUPPORTED_FEATURE naming the version it needs.



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

// describe_cluster ?-timeout ms? ?-command cmd?
int Handle::DescribeCluster(int objc, Tcl_Obj *const objv[]) {
#if KAFKATCL_RDKAFKA(2, 3)
    AdminArgs args;
    if (int code = AdminWords(interp_, objc, objv, false, 0, 0, &args)) return code;
    return RunAdmin(this, args, DescribeClusterResult,
                    [&](rd_kafka_AdminOptions_t *o, rd_kafka_queue_t *q) { rd_kafka_DescribeCluster(rk_.get(), o, q); });
#else
    return TooOld(interp_, "describe_cluster", "2.3.0");
#endif
}

// describe_topics topicList
int Handle::DescribeTopics(int objc, Tcl_Obj *const objv[]) {
#if KAFKATCL_RDKAFKA(2, 3)
    AdminArgs args;
    std::vector<Tcl_Obj *> items;
    if (int code = AdminList(interp_, objc, objv, false, "topicList", &args, &items)) return code;
    std::vector<const char *> names;
    for (Tcl_Obj *item : items) names.push_back(Tcl_GetString(item));
    Owned<rd_kafka_TopicCollection_t, rd_kafka_TopicCollection_destroy> topics(
        rd_kafka_TopicCollection_of_topic_names(names.data(), names.size()));
    return RunAdmin(this, args, DescribeTopicsResult, [&](rd_kafka_AdminOptions_t *o, rd_kafka_queue_t *q) {
        rd_kafka_DescribeTopics(rk_.get(), topics.get(), o, q);
    });
#else
    return TooOld(interp_, "describe_topics", "2.3.0");
#endif
}

// list_offsets {{topic partition earliest|latest|max_timestamp|timestampMs} ...}
int Handle::ListOffsets(int objc, Tcl_Obj *const objv[]) {
#if KAFKATCL_RDKAFKA(2, 3)
    AdminArgs args;
    std::vector<Tcl_Obj *> items;
    if (int code = AdminList(interp_, objc, objv, false, "offsetSpecs", &args, &items)) return code;
    PartitionListPtr parts(rd_kafka_topic_partition_list_new((int)items.size()));
    for (Tcl_Obj *item : items) {
        std::vector<Tcl_Obj *> f;
        int partition, spec = -1;
        Tcl_WideInt ts;
        if (ListElements(interp_, item, "offset spec", &f) != TCL_OK || f.size() != 3)
            return ArgError(interp_, std::string("bad offset spec \"") + Tcl_GetString(item) +
                                         "\": must be {topic partition earliest|latest|max_timestamp|timestampMs}");
        if (GetInt(interp_, f[1], "partition", &partition) != TCL_OK) return TCL_ERROR;
        if (Tcl_GetWideIntFromObj(nullptr, f[2], &ts) != TCL_OK) {
            if (GetName(interp_, f[2], "offset spec", {"max_timestamp", "earliest", "latest"}, &spec) != TCL_OK) return TCL_ERROR;
            ts = spec - 3; // RD_KAFKA_OFFSET_SPEC_MAX_TIMESTAMP (-3) .. _LATEST (-1)
        } else if (ts < 0) {
            return ArgError(interp_, std::string("bad timestamp \"") + Tcl_GetString(f[2]) + "\": must be 0 or more milliseconds");
        }
        rd_kafka_topic_partition_list_add(parts.get(), Tcl_GetString(f[0]), partition)->offset = ts;
    }
    return RunAdmin(this, args, ListOffsetsResult,
                    [&](rd_kafka_AdminOptions_t *o, rd_kafka_queue_t *q) { rd_kafka_ListOffsets(rk_.get(), parts.get(), o, q); });
#else
    return TooOld(interp_, "list_offsets", "2.3.0");
#endif
}

// incremental_alter_configs {{type name {{set|delete|append|subtract key ?value?} ...}} ...}
int Handle::IncrementalAlterConfigs(int objc, Tcl_Obj *const objv[]) {
#if KAFKATCL_RDKAFKA(2, 2)
    AdminArgs args;
    std::vector<Tcl_Obj *> items;
    if (int code = AdminList(interp_, objc, objv, true, "resources", &args, &items)) return code;
    RequestArray<rd_kafka_ConfigResource_t, rd_kafka_ConfigResource_destroy_array> res;
    for (Tcl_Obj *item : items) {
        std::vector<Tcl_Obj *> f, ops;
        if (ListElements(interp_, item, "resource", &f) != TCL_OK || f.size() != 3 ||
            ListElements(interp_, f[2], "operations", &ops) != TCL_OK)
            return ArgError(interp_, std::string("bad resource \"") + Tcl_GetString(item) +
                                         "\": must be {type name {{set|delete|append|subtract key ?value?} ...}}");
        ObjRef typeName(Tcl_NewListObj(2, f.data()));
        rd_kafka_ConfigResource_t *r = ResourceFromObj(interp_, typeName.get(), false);
        if (!r) return TCL_ERROR;
        res.push_back(r);
        for (Tcl_Obj *opObj : ops) {
            std::vector<Tcl_Obj *> o;
            int op;
            if (ListElements(interp_, opObj, "operation", &o) != TCL_OK || o.size() < 2 || o.size() > 3)
                return ArgError(interp_, std::string("bad operation \"") + Tcl_GetString(opObj) +
                                             "\": must be {set|delete|append|subtract key ?value?}");
            if (GetName(interp_, o[0], "operation", {"set", "delete", "append", "subtract"}, &op) != TCL_OK) return TCL_ERROR;
            rd_kafka_error_t *error = rd_kafka_ConfigResource_add_incremental_config(
                r, Tcl_GetString(o[1]), (rd_kafka_AlterConfigOpType_t)op, o.size() == 3 ? Tcl_GetString(o[2]) : nullptr);
            if (error) return RdError(interp_, error, "incremental_alter_configs");
        }
    }
    return RunAdmin(this, args, IncrementalAlterConfigsResult, [&](rd_kafka_AdminOptions_t *o, rd_kafka_queue_t *q) {
        rd_kafka_IncrementalAlterConfigs(rk_.get(), res.data(), res.size(), o, q);
    });
#else
    return TooOld(interp_, "incremental_alter_configs", "2.2.0");
#endif
}

// describe_user_scram_credentials ?userList?
int Handle::DescribeUserScramCredentials(int objc, Tcl_Obj *const objv[]) {
#if KAFKATCL_RDKAFKA(2, 2)
    AdminArgs args;
    std::vector<Tcl_Obj *> items;
    if (int code = AdminWords(interp_, objc, objv, false, 0, 1, &args)) return code;
    if (!args.positional.empty() && ListElements(interp_, args.positional[0], "userList", &items) != TCL_OK) return TCL_ERROR;
    std::vector<const char *> users;
    for (Tcl_Obj *item : items) users.push_back(Tcl_GetString(item));
    return RunAdmin(this, args, DescribeScramResult, [&](rd_kafka_AdminOptions_t *o, rd_kafka_queue_t *q) {
        rd_kafka_DescribeUserScramCredentials(rk_.get(), users.data(), users.size(), o, q);
    });
#else
    return TooOld(interp_, "describe_user_scram_credentials", "2.2.0");
#endif
}

// alter_user_scram_credentials {alteration ...}
int Handle::AlterUserScramCredentials(int objc, Tcl_Obj *const objv[]) {
#if KAFKATCL_RDKAFKA(2, 2)
    AdminArgs args;
    std::vector<Tcl_Obj *> items;
    if (int code = AdminList(interp_, objc, objv, false, "alterations", &args, &items)) return code;
    RequestArray<rd_kafka_UserScramCredentialAlteration_t, rd_kafka_UserScramCredentialAlteration_destroy_array> alts;
    for (Tcl_Obj *item : items) {
        rd_kafka_UserScramCredentialAlteration_t *a = ScramAlterationFromObj(interp_, item);
        if (!a) return TCL_ERROR;
        alts.push_back(a);
    }
    return RunAdmin(this, args, AlterScramResult, [&](rd_kafka_AdminOptions_t *o, rd_kafka_queue_t *q) {
        rd_kafka_AlterUserScramCredentials(rk_.get(), alts.data(), alts.size(), o, q);
    });
#else
    return TooOld(interp_, "alter_user_scram_credentials", "2.2.0");
#endif
}

// elect_leaders preferred|unclean ?{{topic partition} ...}?
int Handle::ElectLeaders(int objc, Tcl_Obj *const objv[]) {
#if KAFKATCL_RDKAFKA(2, 6)
    AdminArgs args;
    int type;
    if (int code = AdminWords(interp_, objc, objv, false, 1, 2, &args)) return code;
    if (GetName(interp_, args.positional[0], "election type", {"preferred", "unclean"}, &type) != TCL_OK) return TCL_ERROR;
    PartitionListPtr parts;
    if (args.positional.size() == 2) {
        parts.reset(PartitionsFromObj(interp_, args.positional[1], false));
        if (!parts) return TCL_ERROR;
    }
    Owned<rd_kafka_ElectLeaders_t, rd_kafka_ElectLeaders_destroy> req(
        rd_kafka_ElectLeaders_new((rd_kafka_ElectionType_t)type, parts.get()));
    return RunAdmin(this, args, ElectLeadersResult,
                    [&](rd_kafka_AdminOptions_t *o, rd_kafka_queue_t *q) { rd_kafka_ElectLeaders(rk_.get(), req.get(), o, q); });
#else
    return TooOld(interp_, "elect_leaders", "2.6.0");
#endif
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
