# tools/critcl.tcl -- runs critcl's application in the tclsh running this
# file (build.tcl uses it where critcl is a package in auto_path, so the
# package is built for that Tcl).
package require critcl::app
critcl::app::main $argv
