#include "kith/waker.h"

#include <pthread.h>

namespace kith::server {

Waker::Waker() : thread_([this] { Run(); }) {}

Waker::~Waker() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  thread_.join();
}

void Waker::Post(GroupEntry* entry) {
  absl::MutexLock lock(&mu_);
  pending_.insert(entry);
}

void Waker::Run() {
  pthread_setname_np(pthread_self(), "kith-waker");
  auto ready = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return stopping_ || !pending_.empty();
  };
  for (;;) {
    std::set<GroupEntry*> batch;
    {
      absl::MutexLock lock(&mu_, absl::Condition(&ready));
      if (pending_.empty()) return;  // stopping and drained
      batch.swap(pending_);
    }
    for (GroupEntry* entry : batch) entry->WakeWaiters();
  }
}

}  // namespace kith::server
