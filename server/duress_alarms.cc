#include "kith/duress_alarms.h"

#include <cstdio>

#include "kith/sealed_alerts.h"

namespace kith::server {

absl::Status DuressAlarms::Load() {
  absl::MutexLock lock(&mu_);
  std::map<std::string, v1::DuressAlarm> held;
  std::map<std::string, std::string> held_index;
  held.swap(by_group_);
  held_index.swap(group_by_token_hash_);
  auto s = store_->ForEachDuress([this](const v1::DuressAlarm& alarm) {
    mu_.AssertHeld();
    Keep(alarm);
  });
  if (!s.ok()) {
    by_group_.swap(held);
    group_by_token_hash_.swap(held_index);
  }
  return s;
}

void DuressAlarms::Refresh(const std::string& group_id) {
  auto alarm = store_->GetDuress(group_id);
  if (!alarm.ok()) {
    fprintf(stderr, "kithd: cannot read a duress alarm another node changed: %s\n",
            alarm.status().ToString().c_str());
    return;
  }
  absl::MutexLock lock(&mu_);
  if (alarm->has_value()) {
    Keep(**std::move(alarm));
  } else {
    Forget(group_id);
  }
}

absl::Status DuressAlarms::Arm(v1::DuressAlarm alarm) {
  absl::MutexLock lock(&mu_);
  const bool reseal = alarm.reseal();
  alarm.clear_reseal();
  alarm.set_released(0);
  if (reseal) {
    auto previous = by_group_.find(alarm.group_id());
    if (previous == by_group_.end() || previous->second.token_hash() != alarm.token_hash() ||
        previous->second.alerts_size() != alarm.alerts_size()) {
      return absl::FailedPreconditionError("this duress alarm is no longer armed");
    }
    const int released = static_cast<int>(previous->second.released());
    alarm.set_released(released);
    for (int i = 0; i < released; ++i) *alarm.mutable_alerts(i) = previous->second.alerts(i);
  }
  if (auto s = store_->PutDuress(alarm); !s.ok()) return s;
  if (!reseal) going_out_.erase(alarm.group_id());
  Keep(std::move(alarm));
  return absl::OkStatus();
}

std::optional<v1::DuressAlarm> DuressAlarms::Get(const std::string& group_id) const {
  absl::MutexLock lock(&mu_);
  auto it = by_group_.find(group_id);
  if (it == by_group_.end()) return std::nullopt;
  return it->second;
}

absl::Status DuressAlarms::Disarm(const std::string& group_id) {
  absl::MutexLock lock(&mu_);
  if (!by_group_.contains(group_id)) return absl::OkStatus();
  if (auto s = store_->DeleteDuress(group_id); !s.ok()) return s;
  Forget(group_id);
  return absl::OkStatus();
}

void DuressAlarms::Keep(v1::DuressAlarm alarm) {
  Forget(alarm.group_id());
  group_by_token_hash_[alarm.token_hash()] = alarm.group_id();
  by_group_[alarm.group_id()] = std::move(alarm);
}

void DuressAlarms::Forget(const std::string& group_id) {
  auto it = by_group_.find(group_id);
  if (it == by_group_.end()) return;
  group_by_token_hash_.erase(it->second.token_hash());
  by_group_.erase(it);
}

bool DuressAlarms::Armed(const std::string& group_id) const {
  absl::MutexLock lock(&mu_);
  return by_group_.contains(group_id);
}

std::optional<DuressAlarms::Due> DuressAlarms::Next(const std::string& token_hash,
                                                  bool escalate) {
  absl::MutexLock lock(&mu_);
  auto group = group_by_token_hash_.find(token_hash);
  if (group == group_by_token_hash_.end()) return std::nullopt;
  const v1::DuressAlarm& alarm = by_group_.at(group->second);
  int& going_out = going_out_[alarm.group_id()];
  const int next = static_cast<int>(alarm.released()) + going_out;
  if (next >= alarm.alerts_size() || (next > 0 && !escalate)) return std::nullopt;
  ++going_out;
  return Due{alarm.group_id(), alarm.alerts(next)};
}

void DuressAlarms::Released(const std::string& group_id, const std::string& alert_id, bool sent) {
  absl::MutexLock lock(&mu_);
  if (auto going = going_out_.find(group_id); going != going_out_.end() && going->second > 0) {
    --going->second;
  }
  if (!sent) return;  // offered again at the next trigger
  auto it = by_group_.find(group_id);
  if (it == by_group_.end()) return;
  v1::DuressAlarm& alarm = it->second;
  const int released = static_cast<int>(alarm.released());
  if (released >= alarm.alerts_size() || SealedAlertId(alarm.alerts(released)) != alert_id) return;
  alarm.set_released(released + 1);
  // If this write is lost to a crash, the same alert is offered again and
  // the log refuses it as a duplicate, which counts as released.
  if (auto s = store_->PutDuress(alarm); !s.ok()) {
    fprintf(stderr, "kithd: recording a released duress alert: %s\n", s.ToString().c_str());
  }
}

}  // namespace kith::server
