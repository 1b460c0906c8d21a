// The process around a run of nerx: stopping on SIGINT and SIGTERM with only
// complete records written, and writing stdout without silent truncation.
#pragma once

#include <atomic>
#include <string_view>

namespace nerx_cli {

// Makes sure file descriptors 0, 1 and 2 are open (on /dev/null if not), so
// that no file nerx opens lands on them; returns false if stdout was closed.
bool reserve_standard_descriptors();

// SIGINT and SIGTERM: the first sets stop_flag() (the run then reads no more
// input and writes the records it has read); a second one ends the process
// at once, after the write in progress if there is one and it ends within a
// second (a reader that takes no output cannot keep nerx alive).
void install_stop_handlers();
const std::atomic<bool>& stop_flag();
// The signal that set stop_flag(), or 0.
int stop_signal();
// Ends the process as the signal would have: exit status 128 + signal.
[[noreturn]] void exit_by_signal(int sig);

// Writes all of `data` to stdout (no buffering). If the reader has gone away
// (EPIPE), ends the process by SIGPIPE, quietly, as GNU tools do. Returns
// false, with errno set, if the output cannot be written.
bool write_stdout(std::string_view data);

}  // namespace nerx_cli
