# chart.tcl -- draws a bench run's results as a PNG with gnuplot (a
# bench-only dependency). bench.tcl sources it at the end of a run; run alone
# it redraws the chart of a saved run:
#
#   tclsh bench/chart.tcl RESULTS.json ?OUT.png?
#
# One panel per workload and operation (the workloads in the order they ran,
# producing left, consuming right): each client's median round as a bar,
# KafkaTcl's in blue and the others' in grey, and its rounds' slowest-fastest
# msg/s as a line over it.

namespace eval ::benchchart {}

# RESULTS: the bench's result dicts. Returns title -> rows, in panel order.
proc ::benchchart::panels {results} {
    set byTitle [dict create]
    set workloads {}
    foreach r $results {
        if {![dict exists $r rate] || [string match rss-* [dict get $r workload]]} continue
        set w [dict get $r workload]
        if {$w ni $workloads} { lappend workloads $w }
        dict lappend byTitle "$w [dict get $r op]" $r
    }
    set panels [dict create]
    foreach w $workloads {
        foreach op {produce consume} {
            if {[dict exists $byTitle "$w $op"]} { dict set panels "$w $op" [dict get $byTitle "$w $op"] }
        }
    }
    return $panels
}

# One data block per panel: client, median, slowest, fastest, colour.
proc ::benchchart::writeData {file panels} {
    set ch [open $file w]
    dict for {title rows} $panels {
        foreach r $rows {
            set rate [dict get $r rate]
            set lo [expr {[dict exists $r min_rate] ? [dict get $r min_rate] : $rate}]
            set hi [expr {[dict exists $r max_rate] ? [dict get $r max_rate] : $rate}]
            set colour [expr {[string match kafkatcl* [dict get $r client]] ? "0x3366cc" : "0x999999"}]
            puts $ch [format "\"%s\" %.0f %.0f %.0f %s" [dict get $r client] $rate $lo $hi $colour]
        }
        puts $ch "\n"
    }
    close $ch
}

proc ::benchchart::script {png data panels subtitle} {
    set columns 2
    set rows [expr {([dict size $panels] + $columns - 1) / $columns}]
    set script [list "set terminal pngcairo size 1400,[expr {420 * $rows}] font ',10'" \
        "set termoption noenhanced" "set output '$png'" \
        "set multiplot layout $rows,$columns title 'msg/s of KafkaTcl (blue) and the other clients: bar = median round, line = slowest-fastest round ($subtitle)'" \
        "set style fill solid 0.8 border -1" "set boxwidth 0.7" "set grid ytics" \
        "set yrange \[0:*\]" "set offsets 0,0,graph 0.05,0" "set format y '%.1s%c'" \
        "set xtics rotate by -30 left nomirror" "unset key" "set bmargin 6"]
    set i 0
    dict for {title -} $panels {
        lappend script "set title '$title'" \
            "plot '$data' index $i using 0:2:5:xtic(1) with boxes lc rgb variable, '' index $i using 0:3:(0):(\$4-\$3) with vectors heads size screen 0.006,90 lc rgb 'black'"
        incr i
    }
    lappend script "unset multiplot"
    return [join $script \n]
}

# Writes PNG from RESULTS; says so, or why not (no gnuplot: skipped).
proc ::benchchart::write {results png subtitle} {
    if {[auto_execok gnuplot] eq ""} {
        puts "chart: skipped (no gnuplot; as root, tclsh build.tcl bench installs gnuplot-nox)"
        return
    }
    set panels [panels $results]
    if {![dict size $panels]} return
    set data [file rootname $png].dat
    writeData $data $panels
    if {[catch {exec gnuplot << [script $png $data $panels $subtitle] 2>@1} message]} {
        puts "chart: gnuplot failed: $message"
        return
    }
    file delete $data
    puts "chart written to $png"
}

# Run alone: redraw a saved run's chart.
if {[info exists argv0] && [file normalize $argv0] eq [file normalize [info script]]} {
    package require json
    lassign $argv json png
    if {$json eq ""} { puts stderr "usage: tclsh chart.tcl RESULTS.json ?OUT.png?"; exit 1 }
    if {$png eq ""} { set png [file rootname $json].png }
    set ch [open $json]
    set run [json::json2dict [read $ch]]
    close $ch
    set rounds {}
    foreach r [dict get $run results] {
        if {[dict exists $r rounds]} { lappend rounds [llength [dict get $r rounds]] }
    }
    set rounds [lsort -integer -unique $rounds]
    set machine [lindex [split [dict get $run machine] ,] end]
    ::benchchart::write [dict get $run results] $png "[string trim $machine], [dict get $run broker] broker, [join $rounds /] rounds"
}
