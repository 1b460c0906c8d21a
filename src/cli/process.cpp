#include "process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>

namespace nerx_cli {
namespace {

std::atomic<bool> g_stop{false};
std::atomic<int> g_signal{0};
std::atomic<bool> g_writing{false};      // inside write_stdout
std::atomic<int> g_exit_after_write{0};  // a second signal came during a write

static_assert(std::atomic<bool>::is_always_lock_free && std::atomic<int>::is_always_lock_free,
              "used from signal handlers");

[[noreturn]] void die_by(int sig) {
  ::signal(sig, SIG_DFL);
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, sig);
  ::pthread_sigmask(SIG_UNBLOCK, &set, nullptr);
  ::raise(sig);
  ::_exit(128 + sig);  // the signal was ignored or blocked after all
}

// A second signal during a write ends the process when the write is done,
// or after a second if the reader does not take the output.
void on_alarm(int) {
  die_by(g_exit_after_write.load());
}

void on_stop_signal(int sig) {
  int saved = errno;
  if (!g_stop.load()) {
    g_signal.store(sig);
    g_stop.store(true);
  } else if (g_writing.load() && g_exit_after_write.load() == 0) {
    g_exit_after_write.store(sig);
    ::alarm(1);
  } else {
    die_by(sig);
  }
  errno = saved;
}

}  // namespace

bool reserve_standard_descriptors() {
  bool stdout_open = true;
  for (int fd = 0; fd <= 2; ++fd) {
    if (::fcntl(fd, F_GETFD) != -1 || errno != EBADF) continue;
    if (fd == 1) stdout_open = false;
    // Read-only even for stdout: writing to it then fails with a message.
    int got = ::open("/dev/null", O_RDONLY);
    if (got >= 0 && got != fd) {
      ::dup2(got, fd);
      ::close(got);
    }
  }
  return stdout_open;
}

void install_stop_handlers() {
  struct sigaction sa {};
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;  // no SA_RESTART: a blocking read returns, and the reader checks the flag
  for (int sig : {SIGINT, SIGTERM}) {
    struct sigaction old {};
    // A signal ignored by whoever started nerx (nohup, a background job)
    // stays ignored.
    if (::sigaction(sig, nullptr, &old) == 0 && old.sa_handler == SIG_IGN) continue;
    ::sigaction(sig, &sa, nullptr);
  }
  struct sigaction alarm_action {};
  alarm_action.sa_handler = on_alarm;
  sigemptyset(&alarm_action.sa_mask);
  ::sigaction(SIGALRM, &alarm_action, nullptr);
}

const std::atomic<bool>& stop_flag() {
  return g_stop;
}

int stop_signal() {
  return g_signal.load();
}

void exit_by_signal(int sig) {
  die_by(sig);
}

bool write_stdout(std::string_view data) {
  g_writing.store(true);
  bool ok = true;
  while (!data.empty()) {
    ssize_t n = ::write(STDOUT_FILENO, data.data(), data.size());
    if (n >= 0) {
      data.remove_prefix(static_cast<std::size_t>(n));
      continue;
    }
    if (errno == EINTR) continue;
    if (errno == EPIPE) die_by(SIGPIPE);
    ok = false;
    break;
  }
  g_writing.store(false);
  if (int sig = g_exit_after_write.load()) die_by(sig);
  return ok;
}

}  // namespace nerx_cli
