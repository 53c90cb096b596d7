// Wakes a group's waiting followers on a thread of its own, so the writer
// never spends its time on stream writes (each is TLS work and a send).
#ifndef KITH_SERVER_WAKER_H_
#define KITH_SERVER_WAKER_H_

#include <set>
#include <thread>

#include "absl/synchronization/mutex.h"
#include "kith/group_registry.h"

namespace kith::server {

class Waker {
 public:
  Waker();
  ~Waker();  // wakes what is pending, then joins

  // Schedules entry->WakeWaiters(); many posts before it runs wake once.
  void Post(GroupEntry* entry);

 private:
  void Run();

  absl::Mutex mu_;
  std::set<GroupEntry*> pending_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace kith::server

#endif  // KITH_SERVER_WAKER_H_
