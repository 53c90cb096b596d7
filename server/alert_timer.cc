#include "kith/alert_timer.h"

#include <pthread.h>

#include <cstdio>

#include "kith/protocol.h"
#include "kith/sealed_alerts.h"

namespace kith::server {

AlertTimer::AlertTimer(GroupRegistry* groups, Checkins* checkins, Boundaries* boundaries,
                       Appender* appender, Waker* waker, const CheckpointSigner* signer,
                       const Clock* clock, std::function<void()> on_pass)
    : groups_(groups),
      checkins_(checkins),
      boundaries_(boundaries),
      appender_(appender),
      waker_(waker),
      signer_(signer),
      clock_(clock),
      on_pass_(std::move(on_pass)),
      thread_([this] { Run(); }) {}

AlertTimer::~AlertTimer() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  thread_.join();
  // The answers to its appends call back into this timer: the appender,
  // still running, gives them first.
  absl::MutexLock lock(&mu_);
  auto answered = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return unanswered_ == 0; };
  mu_.Await(absl::Condition(&answered));
}

void AlertTimer::Run() {
  pthread_setname_np(pthread_self(), "kith-alerts");
  const absl::Duration poll = absl::FromChrono(kPollInterval);
  for (;;) {
    {
      absl::MutexLock lock(&mu_);
      if (mu_.AwaitWithTimeout(absl::Condition(&stopping_), poll)) return;
    }
    const int64_t now = clock_->NowMs();
    ReleaseDueCheckins(now);
    SendDueRealerts(now);
    for (GroupEntry* entry : boundaries_->ReleaseHolds(now)) waker_->Post(entry);
    if (on_pass_) {
      {
        absl::MutexLock lock(&mu_);
        auto answered = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
          return unanswered_ == 0 || stopping_;
        };
        mu_.Await(absl::Condition(&answered));
      }
      on_pass_();
    }
  }
}

void AlertTimer::Submitted() {
  absl::MutexLock lock(&mu_);
  ++unanswered_;
}

void AlertTimer::Answered() {
  absl::MutexLock lock(&mu_);
  --unanswered_;
}

void AlertTimer::ReleaseDueCheckins(int64_t now_ms) {
  for (v1::CheckinRequest& checkin : checkins_->TakeDue(now_ms)) {
    const std::string alert_id = SealedAlertId(checkin.alert());
    Submitted();
    ReleaseSealedAlert(
        appender_, std::move(*checkin.mutable_alert()),
        [this, group = checkin.group_id(), alert_id](const absl::Status& s) {
          if (s.ok()) {
            checkins_->Released(group, alert_id);
          } else {
            fprintf(stderr, "kithd: a check-in alert was not released (retrying in %lld s): %s\n",
                    static_cast<long long>(Checkins::kRetryMs / 1000), s.ToString().c_str());
          }
          Answered();
        });
  }
}

void AlertTimer::SendDueRealerts(int64_t now) {
  for (GroupEntry* entry : groups_->Alerting()) {
    std::vector<v1::EventBody> due;
    {
      absl::MutexLock lock(&entry->mu);
      const GroupState& state = entry->state;
      if (!state.alerts().any_unanswered()) {
        groups_->DoneAlerting(entry);
        continue;
      }
      for (const AlertBook::Due& d : state.alerts().DueRealerts(now)) {
        v1::EventBody& body = due.emplace_back();
        body.set_group_id(state.group_id());
        body.set_author(ServerAuthor());
        body.set_epoch(state.epoch());
        body.mutable_realert()->set_alert_id(d.alert_id);
        body.mutable_realert()->set_attempt(d.attempt);
      }
    }
    for (v1::EventBody& body : due) {
      v1::SignedEvent event = signer_->SignServerEvent(body);
      // A refusal means the alert was answered, or this attempt is already
      // queued from an earlier poll: either way there is nothing to send.
      Submitted();
      appender_->Submit(std::move(event), std::move(body), [this](absl::StatusOr<v1::AppendReply> r) {
        if (!r.ok() && r.status().code() != absl::StatusCode::kFailedPrecondition) {
          fprintf(stderr, "kithd: re-alert not sent: %s\n", r.status().ToString().c_str());
        }
        Answered();
      });
    }
  }
}

}  // namespace kith::server
