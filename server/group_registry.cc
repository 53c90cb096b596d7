#include "kith/group_registry.h"

namespace kith::server {

void GroupEntry::NoteApplied(const v1::EventBody& body, uint64_t seq) {
  if (body.has_leave()) departed_at_[body.author()] = seq;
  if (body.has_commit()) {
    for (const auto& id : body.commit().remove()) departed_at_[id] = seq;
    for (const auto& id : body.commit().add()) departed_at_.erase(id);
  }
}

void GroupEntry::AddDurable(std::shared_ptr<const v1::Event> event) {
  durable_head = event->seq();
  recent_.push_back(std::move(event));
  if (recent_.size() > kRecentEvents) recent_.pop_front();
}

void GroupEntry::AddWaiter(Waiter* w) {
  absl::MutexLock lock(&waiters_mu_);
  waiting_.insert(w);
}

void GroupEntry::RemoveWaiter(Waiter* w) {
  absl::MutexLock lock(&waiters_mu_);
  waiting_.erase(w);
}

void GroupEntry::WakeWaiters() {
  std::set<Waiter*> woken;
  {
    // A waiter leaves the set (RemoveWaiter) before it can be destroyed, so
    // a reference taken here keeps it alive until after OnNewEvents.
    absl::MutexLock lock(&waiters_mu_);
    woken.swap(waiting_);
    for (Waiter* w : woken) w->Ref();
  }
  for (Waiter* w : woken) {
    w->OnNewEvents();
    w->Unref();
  }
}

uint64_t GroupEntry::ReadableHead(const std::string& user_id) const {
  if (state.IsMember(user_id)) return durable_head;
  auto it = departed_at_.find(user_id);
  return it == departed_at_.end() ? 0 : std::min(it->second, durable_head);
}

std::shared_ptr<const v1::Event> GroupEntry::Recent(uint64_t seq) const {
  if (recent_.empty() || seq < recent_.front()->seq() || seq > durable_head) return nullptr;
  return recent_[seq - recent_.front()->seq()];
}

GroupEntry* GroupRegistry::Find(const std::string& group_id) const {
  absl::MutexLock lock(&mu_);
  auto it = groups_.find(group_id);
  return it == groups_.end() ? nullptr : it->second.get();
}

GroupEntry* GroupRegistry::FindOrCreate(const std::string& group_id) {
  absl::MutexLock lock(&mu_);
  auto& slot = groups_[group_id];
  if (!slot) slot = std::make_unique<GroupEntry>();
  return slot.get();
}

void GroupRegistry::ForEach(const std::function<void(GroupEntry&)>& fn) const {
  std::vector<GroupEntry*> entries;
  {
    absl::MutexLock lock(&mu_);
    entries.reserve(groups_.size());
    for (const auto& [id, entry] : groups_) entries.push_back(entry.get());
  }
  for (GroupEntry* e : entries) fn(*e);
}

}  // namespace kith::server
