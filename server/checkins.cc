#include "kith/checkins.h"

#include <cstdio>

#include "kith/sealed_alerts.h"

namespace kith::server {

absl::Status Checkins::Load() {
  absl::MutexLock lock(&mu_);
  std::map<std::string, Entry> held;
  held.swap(by_group_);
  auto s = store_->ForEachCheckin([this](const v1::CheckinRequest& c) {
    mu_.AssertHeld();
    by_group_[c.group_id()] = Entry{c, 0};
  });
  if (!s.ok()) by_group_.swap(held);
  return s;
}

void Checkins::Refresh(const std::string& group_id) {
  auto checkin = store_->GetCheckin(group_id);
  if (!checkin.ok()) {
    fprintf(stderr, "kithd: cannot read a check-in another node changed: %s\n",
            checkin.status().ToString().c_str());
    return;
  }
  absl::MutexLock lock(&mu_);
  if (checkin->has_value()) {
    by_group_[group_id] = Entry{**std::move(checkin), 0};
  } else {
    by_group_.erase(group_id);
  }
}

absl::Status Checkins::Schedule(v1::CheckinRequest checkin) {
  absl::MutexLock lock(&mu_);
  if (checkin.reseal()) {
    auto it = by_group_.find(checkin.group_id());
    if (it == by_group_.end() ||
        SealedAlertId(it->second.checkin.alert()) != SealedAlertId(checkin.alert())) {
      return absl::FailedPreconditionError("this check-in is no longer scheduled");
    }
    *it->second.checkin.mutable_alert() = std::move(*checkin.mutable_alert());
    checkin = it->second.checkin;
  }
  if (auto s = store_->PutCheckin(checkin); !s.ok()) return s;
  by_group_[checkin.group_id()] = Entry{checkin, 0};
  return absl::OkStatus();
}

absl::StatusOr<std::optional<v1::CheckinRequest>> Checkins::Cancel(const std::string& group_id) {
  absl::MutexLock lock(&mu_);
  auto it = by_group_.find(group_id);
  if (it == by_group_.end()) return std::nullopt;
  if (auto s = store_->DeleteCheckin(group_id); !s.ok()) return s;
  v1::CheckinRequest cancelled = std::move(it->second.checkin);
  by_group_.erase(it);
  return cancelled;
}

std::optional<v1::CheckinRequest> Checkins::Get(const std::string& group_id) const {
  absl::MutexLock lock(&mu_);
  auto it = by_group_.find(group_id);
  if (it == by_group_.end()) return std::nullopt;
  return it->second.checkin;
}

std::vector<v1::CheckinRequest> Checkins::TakeDue(int64_t now_ms) {
  absl::MutexLock lock(&mu_);
  std::vector<v1::CheckinRequest> due;
  for (auto& [group, entry] : by_group_) {
    if (entry.checkin.deadline_ms() > now_ms || entry.not_before_ms > now_ms) continue;
    entry.not_before_ms = now_ms + kRetryMs;
    due.push_back(entry.checkin);
  }
  return due;
}

void Checkins::Released(const std::string& group_id, const std::string& alert_id) {
  absl::MutexLock lock(&mu_);
  auto it = by_group_.find(group_id);
  if (it == by_group_.end() || SealedAlertId(it->second.checkin.alert()) != alert_id) return;
  // If this delete is lost to a crash, the next start releases the alert
  // again and the log refuses it as a duplicate: still exactly once.
  if (auto s = store_->DeleteCheckin(group_id); !s.ok()) {
    fprintf(stderr, "kithd: forgetting a released check-in: %s\n", s.ToString().c_str());
  }
  by_group_.erase(it);
}

}  // namespace kith::server
