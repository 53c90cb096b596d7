#include "kith/realerter.h"

#include <cstdio>

#include "kith/protocol.h"

namespace kith::server {

Realerter::Realerter(GroupRegistry* groups, Appender* appender, const CheckpointSigner* signer,
                     const Clock* clock)
    : groups_(groups), appender_(appender), signer_(signer), clock_(clock),
      thread_([this] { Run(); }) {}

Realerter::~Realerter() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  thread_.join();
}

void Realerter::Run() {
  const absl::Duration poll = absl::FromChrono(kPollInterval);
  for (;;) {
    {
      absl::MutexLock lock(&mu_);
      if (mu_.AwaitWithTimeout(absl::Condition(&stopping_), poll)) return;
    }
    SendDue();
  }
}

void Realerter::SendDue() {
  const int64_t now = clock_->NowMs();
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
      appender_->Submit(std::move(event), std::move(body), [](absl::StatusOr<v1::AppendReply> r) {
        if (!r.ok() && r.status().code() != absl::StatusCode::kFailedPrecondition) {
          fprintf(stderr, "kithd: re-alert not sent: %s\n", r.status().ToString().c_str());
        }
      });
    }
  }
}

}  // namespace kith::server
