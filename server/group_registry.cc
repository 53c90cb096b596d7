#include "kith/group_registry.h"

#include <algorithm>

#include "kith/protocol.h"

namespace kith::server {

std::string PairOfPeople(const std::string& a, const std::string& b) {
  return a < b ? a + b : b + a;
}

void GroupEntry::NoteApplied(const v1::EventBody& body, const v1::Event& event) {
  const uint64_t seq = event.seq();
  // One copy of the signature per event: the order keeps positions in the map.
  auto [remembered, inserted] =
      appended_.try_emplace(event.signed_().signature(), Appended{seq, state.head_hash()});
  if (inserted) appended_order_.push_back(remembered);
  if (appended_order_.size() > kRememberedAppends) {
    appended_.erase(appended_order_.front());
    appended_order_.pop_front();
  }
  if (body.has_message() && state.is_direct()) {
    std::deque<int64_t>& times = sent_at_[body.author()];
    times.push_back(event.server_time_ms());
    if (times.size() > kMaxDailyLimit + 1) times.pop_front();
  }
  if (body.has_leave()) departed_at_[body.author()] = seq;
  if (body.has_moderation() && (body.moderation().action() == v1::Moderation::REMOVE ||
                                body.moderation().action() == v1::Moderation::BAN)) {
    departed_at_[body.moderation().target()] = seq;
  }
  if (body.has_commit()) {
    for (const auto& id : body.commit().remove()) departed_at_[id] = seq;
    for (const auto& id : body.commit().add()) departed_at_.erase(id);
  }
}

const GroupEntry::Appended* GroupEntry::FindAppended(const std::string& signature) const {
  auto it = appended_.find(signature);
  return it == appended_.end() ? nullptr : &it->second;
}

void GroupEntry::Forget() {
  state = GroupState();
  durable_head = 0;
  durable_hash.clear();
  checkpoint.Clear();
  recent_.clear();
  recent_bytes_ = 0;
  departed_at_.clear();
  sent_at_.clear();
  appended_order_.clear();
  appended_.clear();
  held_from_.clear();
}

void GroupEntry::AddDurable(uint64_t seq, std::string hash, grpc::Slice encoded) {
  durable_head = seq;
  durable_hash = std::move(hash);
  recent_bytes_ += encoded.size();
  recent_.push_back(std::move(encoded));
  // Keep at least the newest event, so a follower at the head never reads storage.
  while (recent_.size() > 1 && recent_bytes_ > kRecentBytes) {
    recent_bytes_ -= recent_.front().size();
    recent_.pop_front();
  }
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

size_t GroupEntry::SentSince(const std::string& author, int64_t since_ms) const {
  auto it = sent_at_.find(author);
  if (it == sent_at_.end()) return 0;
  // Counted, not searched: a wall clock set back leaves the times unsorted.
  return std::count_if(it->second.begin(), it->second.end(),
                       [since_ms](int64_t t) { return t >= since_ms; });
}

void GroupEntry::Hold(const std::string& user_id, uint64_t seq) { held_from_.emplace(user_id, seq); }

bool GroupEntry::ReleaseHolds(const std::function<bool(const std::string&)>& over) {
  return std::erase_if(held_from_, [&over](const auto& hold) { return over(hold.first); }) > 0;
}

uint64_t GroupEntry::ReadableHead(const std::string& user_id) const {
  if (state.IsMember(user_id)) {
    auto held = held_from_.find(user_id);
    return held == held_from_.end() ? durable_head : std::min(durable_head, held->second - 1);
  }
  auto it = departed_at_.find(user_id);
  return it == departed_at_.end() ? 0 : std::min(it->second, durable_head);
}

size_t GroupEntry::Recent(uint64_t from, uint64_t to, size_t max_bytes,
                          std::vector<grpc::Slice>* out) const {
  const uint64_t first = durable_head - recent_.size() + 1;
  if (recent_.empty() || from < first) return 0;
  size_t taken = 0, bytes = 0;
  for (uint64_t seq = from; seq <= std::min(to, durable_head); ++seq) {
    const grpc::Slice& slice = recent_[seq - first];
    if (taken > 0 && bytes + slice.size() > max_bytes) break;
    out->push_back(slice);
    bytes += slice.size();
    ++taken;
  }
  return taken;
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

void GroupEntry::NoteDelivered(const std::string& user_id, uint64_t seq) {
  absl::MutexLock lock(&delivery_mu_);
  uint64_t& reached = delivered_[user_id];
  reached = std::max(reached, seq);
}

std::vector<std::string> GroupEntry::ReachedBy(uint64_t seq) const {
  absl::MutexLock lock(&delivery_mu_);
  std::vector<std::string> out;
  for (const auto& [user, reached] : delivered_) {
    if (reached >= seq) out.push_back(user);
  }
  return out;
}

void GroupRegistry::NoteEvent(GroupEntry* entry, const v1::EventBody& body) {
  const std::string* involved = nullptr;
  if (body.has_create() || body.has_join_request()) involved = &body.author();
  if (body.has_invite() && !body.invite().invitee().empty()) involved = &body.invite().invitee();
  const bool raise = body.has_alert() && body.alert().kind() == v1::Alert::RAISE;
  std::string peer;
  if (body.has_create() && body.create().has_peer()) peer = UserIdFor(body.create().peer().sign_pk());
  if (involved == nullptr && !raise) return;
  absl::MutexLock lock(&mu_);
  if (involved != nullptr) by_user_[*involved].insert(entry);
  if (raise) alerting_.insert(entry);
  if (!peer.empty()) {
    by_user_[peer].insert(entry);
    direct_.emplace(PairOfPeople(body.author(), peer), entry);
  }
}

GroupEntry* GroupRegistry::FindDirect(const std::string& a, const std::string& b) const {
  absl::MutexLock lock(&mu_);
  auto it = direct_.find(PairOfPeople(a, b));
  return it == direct_.end() ? nullptr : it->second;
}

std::vector<GroupEntry*> GroupRegistry::Alerting() const {
  absl::MutexLock lock(&mu_);
  return std::vector<GroupEntry*>(alerting_.begin(), alerting_.end());
}

void GroupRegistry::DoneAlerting(GroupEntry* entry) {
  absl::MutexLock lock(&mu_);
  alerting_.erase(entry);
}

std::vector<GroupEntry*> GroupRegistry::GroupsOf(const std::string& user_id) const {
  absl::MutexLock lock(&mu_);
  auto it = by_user_.find(user_id);
  if (it == by_user_.end()) return {};
  return std::vector<GroupEntry*>(it->second.begin(), it->second.end());
}

}  // namespace kith::server
