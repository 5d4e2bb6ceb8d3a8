// objcache.h -- shared Tcl_Objs for the values that repeat from one message
// to the next (its topic name, its partition), so that filling an array or
// building a delivery report does not make new ones per message. One
// instance belongs to one thread, like the Tcl_Objs it holds.
#pragma once

#include "callbacks.h"

#include <string>
#include <vector>

namespace kafkatcl {

// The last topic name asked for, and its Tcl_Obj.
class TopicNameObj {
  public:
    Tcl_Obj *Get(const char *name) {
        if (!obj_ || name_ != name) {
            name_ = name;
            obj_ = ObjRef(Tcl_NewStringObj(name, -1));
        }
        return obj_.get();
    }

  private:
    std::string name_;
    ObjRef obj_;
};

// Partitions 0..kCached-1 as shared Tcl_Objs; any other number a new one.
class PartitionObjs {
  public:
    Tcl_Obj *Get(int32_t partition) {
        if (partition < 0 || partition >= kCached) return Tcl_NewIntObj(partition);
        if ((size_t)partition >= objs_.size()) objs_.resize((size_t)partition + 1);
        ObjRef &obj = objs_[(size_t)partition];
        if (!obj) obj = ObjRef(Tcl_NewIntObj(partition));
        return obj.get();
    }

  private:
    static constexpr int32_t kCached = 1024;
    std::vector<ObjRef> objs_;
};

} // namespace kafkatcl
