module cstatus/bench/loadgen

go 1.22
