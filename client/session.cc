#include "kith/session.h"

#include <grpcpp/security/tls_credentials_options.h>

#include <algorithm>
#include <chrono>
#include <set>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "kith/event_builder.h"
#include "kith/protocol.h"
#include "kith/reports.h"

namespace kith::client {
namespace {

// The name kithd's self-signed certificate carries, whatever address is dialled.
constexpr char kServerName[] = "kithd";
constexpr int kAppendAttempts = 4;
// The pause before each resend of an append whose answer was lost doubles,
// up to a cap.
constexpr auto kFirstResendPause = std::chrono::milliseconds(100);
constexpr auto kMaxResendPause = std::chrono::seconds(2);
constexpr int kLogoutTimeoutMs = 500;
// How long a first connection may take before the certificate is checked.
constexpr int kConnectProbeMs = 2'000;
constexpr int kFetchTimeoutMs = 10'000;  // without a connect timeout

// What a client says when the log it is served contradicts what it verified.
absl::Status TwoHistories(const std::string& detail) {
  return absl::DataLossError(
      absl::StrCat("the server served two different histories of this group: ", detail));
}

// A call made while the server restarts waits for the connection (up to its
// deadline) instead of failing at once. A waiting call also drives the
// connection attempt: gRPC's synchronous client only makes progress on a
// handshake while some thread is inside a call.
void AwaitServer(grpc::ClientContext* ctx, bool with_deadline) {
  ctx->set_wait_for_ready(true);
  if (with_deadline) {
    ctx->set_deadline(std::chrono::system_clock::now() +
                      std::chrono::milliseconds(Session::kRpcTimeoutMs));
  }
}

bool Retryable(const absl::Status& s) {
  // A stale epoch or a counter someone else's write overtook: sync and
  // rebuild. A boundary's refusal stands however often it is asked.
  return (absl::IsFailedPrecondition(s) && s.message() != kNotAccepting) ||
         absl::IsAlreadyExists(s);
}

}  // namespace

absl::Status FromGrpc(const grpc::Status& s) {
  absl::Status out(static_cast<absl::StatusCode>(s.error_code()), s.error_message());
  // Only an append's refusal carries details (kAppendedPayload).
  if (!s.ok() && !s.error_details().empty()) {
    out.SetPayload(kAppendedPayload, absl::Cord(s.error_details()));
  }
  return out;
}

namespace {

// Accepts any certificate and remembers it: used only to fetch a server's
// certificate so a person can decide whether to trust it.
class CertificateCapture final : public grpc::experimental::ExternalCertificateVerifier {
 public:
  explicit CertificateCapture(std::shared_ptr<std::string> out) : out_(std::move(out)) {}
  bool Verify(grpc::experimental::TlsCustomVerificationCheckRequest* request,
              std::function<void(grpc::Status)>, grpc::Status* sync_status) override {
    *out_ = std::string(request->peer_cert().data(), request->peer_cert().size());
    *sync_status = grpc::Status::OK;
    return true;
  }
  void Cancel(grpc::experimental::TlsCustomVerificationCheckRequest*) override {}

 private:
  std::shared_ptr<std::string> out_;
};

}  // namespace

absl::StatusOr<std::string> FetchServerCertificate(const std::string& address,
                                                   std::chrono::milliseconds timeout) {
  auto pem = std::make_shared<std::string>();
  grpc::experimental::TlsChannelCredentialsOptions options;
  options.set_verify_server_certs(false);
  options.set_check_call_host(false);
  options.set_certificate_verifier(
      grpc::experimental::ExternalCertificateVerifier::Create<CertificateCapture>(pem));
  grpc::ChannelArguments args;
  args.SetSslTargetNameOverride(kServerName);
  auto stub = v1::Kith::NewStub(
      grpc::CreateCustomChannel(address, grpc::experimental::TlsCredentials(options), args));
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + timeout);
  v1::Challenge challenge;
  grpc::Status status = stub->GetChallenge(&ctx, v1::Empty(), &challenge);
  if (!pem->empty()) return *pem;
  if (status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED) {
    return absl::UnavailableError(absl::StrCat(
        "no answer from ", address, " (timed out): check the address, and that the network lets "
        "you reach it"));
  }
  if (absl::StrContains(absl::AsciiStrToLower(status.error_message()), "refused")) {
    return absl::UnavailableError(absl::StrCat(
        "nothing accepts connections at ", address, " (connection refused): is kithd running "
        "there, and is the port right?"));
  }
  return absl::UnavailableError(
      absl::StrCat("could not reach a Kith server at ", address, ": ", status.error_message()));
}

std::shared_ptr<grpc::Channel> PinnedChannel(const std::string& address,
                                             const std::string& ca_pem) {
  grpc::SslCredentialsOptions ssl;
  ssl.pem_root_certs = ca_pem;
  grpc::ChannelArguments args;
  args.SetSslTargetNameOverride(kServerName);
  args.SetMaxReceiveMessageSize(64 << 20);
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 1000);
  return grpc::CreateCustomChannel(address, grpc::SslCredentials(ssl), args);
}

// --- FollowCancel -----------------------------------------------------------------

void FollowCancel::Cancel() {
  std::lock_guard<std::mutex> lock(mu_);
  cancelled_ = true;
  if (ctx_) ctx_->TryCancel();
}

bool FollowCancel::cancelled() const {
  std::lock_guard<std::mutex> lock(mu_);
  return cancelled_;
}

void FollowCancel::Attach(grpc::ClientContext* ctx) {
  std::lock_guard<std::mutex> lock(mu_);
  ctx_ = ctx;
  if (ctx_ && cancelled_) ctx_->TryCancel();
}

// --- Session -------------------------------------------------------------------------

Session::Session(Identity identity, std::string address, std::string pinned_pem,
                 std::string checkpoint_key, std::shared_ptr<LogMemory> memory,
                 std::shared_ptr<grpc::Channel> channel,
                 std::unique_ptr<v1::Kith::StubInterface> stub)
    : identity_(std::move(identity)),
      address_(std::move(address)),
      pinned_pem_(std::move(pinned_pem)),
      server_key_(std::move(checkpoint_key)),
      memory_(std::move(memory)),
      channel_(std::move(channel)),
      stub_(std::move(stub)) {}

absl::Status Session::CheckServerCertificate() {
  if (certificate_checked_ || channel_ == nullptr) return absl::OkStatus();
  // Failing fast, half the time connects and the other half finds out why not.
  const bool fail_fast = connect_timeout_.count() > 0;
  const std::chrono::milliseconds probe =
      fail_fast ? connect_timeout_ / 2 : std::chrono::milliseconds(kConnectProbeMs);
  if (channel_->WaitForConnected(std::chrono::system_clock::now() + probe)) {
    certificate_checked_ = true;
    return absl::OkStatus();
  }
  auto presented = FetchServerCertificate(
      address_, fail_fast ? connect_timeout_ - probe : std::chrono::milliseconds(kFetchTimeoutMs));
  // Not reachable: an error that says why, or calls wait for it as usual.
  if (!presented.ok()) return fail_fast ? presented.status() : absl::OkStatus();
  auto presented_fp = CertificateFingerprint(*presented);
  auto pinned_fp = CertificateFingerprint(pinned_pem_);
  if (presented_fp.ok() && pinned_fp.ok() && *presented_fp != *pinned_fp) {
    return absl::UnavailableError(absl::StrCat(
        "certificate error: the server at ", address_, " presents a certificate with fingerprint ",
        *presented_fp, ", not the one pinned (", *pinned_fp,
        "). If its operator changed it, compare the new fingerprint with theirs and register "
        "again; otherwise someone may be between you and the server"));
  }
  certificate_checked_ = true;
  return absl::OkStatus();
}

Session::~Session() {
  // Best effort, and brief: a client going away (or a person leaving in a
  // hurry) never waits long for a server that is gone.
  if (!token_hex_.empty()) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() +
                     std::chrono::milliseconds(kLogoutTimeoutMs));
    ctx.AddMetadata("authorization", "Bearer " + token_hex_);
    v1::Empty reply;
    (void)stub_->Logout(&ctx, v1::Empty(), &reply);
  }
  crypto::Wipe(token_hex_);
}

absl::Status Session::Logout() {
  if (token_hex_.empty()) return absl::OkStatus();
  grpc::ClientContext ctx;
  Prepare(&ctx);
  v1::Empty reply;
  absl::Status s = FromGrpc(stub_->Logout(&ctx, v1::Empty(), &reply));
  crypto::Wipe(token_hex_);
  token_hex_.clear();
  return s;
}

void Session::Prepare(grpc::ClientContext* ctx, bool with_deadline) const {
  AwaitServer(ctx, with_deadline);
  if (!token_hex_.empty()) ctx->AddMetadata("authorization", "Bearer " + token_hex_);
}

absl::Status Session::Call(const Rpc& rpc) {
  if (token_hex_.empty()) {
    if (auto s = Login(); !s.ok()) return s;
  }
  for (int attempt = 0;; ++attempt) {
    grpc::ClientContext ctx;
    Prepare(&ctx);
    grpc::Status status = rpc(&ctx);
    if (status.error_code() != grpc::StatusCode::UNAUTHENTICATED || attempt > 0) {
      absl::Status out = FromGrpc(status);
      if (status.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED) {
        // A rate limit says when to come back.
        const auto& trailers = ctx.GetServerTrailingMetadata();
        if (auto it = trailers.find(kRetryAfterMetadata); it != trailers.end()) {
          out.SetPayload(kRetryAfterPayload, absl::Cord(std::string(it->second.data(), it->second.size())));
        }
      }
      return out;
    }
    if (auto s = Login(); !s.ok()) return s;
  }
}

absl::Status Session::CallWithoutSession(const Rpc& rpc) {
  if (auto s = CheckServerCertificate(); !s.ok()) return s;
  grpc::ClientContext ctx;
  AwaitServer(&ctx, /*with_deadline=*/true);
  return FromGrpc(rpc(&ctx));
}

absl::Status Session::Login() {
  v1::Challenge challenge;
  if (auto s = CallWithoutSession(
          [&](auto* ctx) { return stub_->GetChallenge(ctx, v1::Empty(), &challenge); });
      !s.ok()) {
    return s;
  }
  v1::LoginRequest req = identity_.SignLogin(challenge.nonce());
  v1::LoginReply reply;
  if (auto s = CallWithoutSession([&](auto* ctx) { return stub_->Login(ctx, req, &reply); });
      !s.ok()) {
    return s;
  }
  token_hex_ = crypto::ToHex(reply.token());
  crypto::Wipe(*reply.mutable_token());
  return absl::OkStatus();
}

absl::StatusOr<v1::IdentityBundle> Session::GetIdentity(const std::string& user_id) {
  v1::GetIdentityRequest req;
  req.set_user_id(user_id);
  v1::IdentityBundle bundle;
  if (auto s = Call([&](auto* ctx) { return stub_->GetIdentity(ctx, req, &bundle); }); !s.ok()) {
    return s;
  }
  // The id is derived from the key: a server cannot answer with another key.
  if (auto s = ValidateBundle(bundle); !s.ok()) return s;
  if (UserIdFor(bundle.sign_pk()) != user_id) {
    return absl::DataLossError("the server returned a key that does not belong to this user id");
  }
  return bundle;
}

GroupView& Session::View(const std::string& group_id) {
  auto& view = views_[group_id];
  if (!view) view = std::make_unique<GroupView>(&identity_);
  return *view;
}

absl::StatusOr<v1::AppendReply> Session::Append(const v1::SignedEvent& event) {
  v1::AppendRequest req;
  *req.mutable_event() = event;
  v1::AppendReply reply;
  // An append whose answer was lost (the server or its node went away) may
  // have been stored. The same signed event is sent again; if the first
  // landed, the server refuses this one and hands back the first answer.
  auto acknowledged = [&]() -> absl::StatusOr<v1::AppendReply> {
    // An event lands after the event it was written against; the rest is
    // checked when the log reaches it (ApplyServed): the server cannot
    // acknowledge an event and then serve something else in its place.
    v1::EventBody body;
    if (!body.ParseFromString(event.body()) || reply.group_id() != body.group_id()) {
      return TwoHistories("it acknowledged your event as another group's");
    }
    if (reply.seq() <= body.ref_seq()) {
      return TwoHistories(absl::StrCat("it acknowledged your event at ", reply.seq(),
                                       ", but you wrote it after event ", body.ref_seq()));
    }
    acknowledged_[reply.group_id()][reply.seq()] = {reply.event_hash(), event.signature()};
    return reply;
  };
  const auto give_up = std::chrono::steady_clock::now() + resend_for_;
  std::chrono::steady_clock::duration pause = kFirstResendPause;
  for (bool resent = false;; resent = true) {
    auto s = Call([&](auto* ctx) { return stub_->Append(ctx, req, &reply); });
    if (s.ok()) return acknowledged();
    if (resent && absl::IsAlreadyExists(s)) {
      if (auto first = s.GetPayload(kAppendedPayload);
          first && reply.ParseFromString(std::string(*first))) {
        return acknowledged();
      }
    }
    // Over a rate limit: sent again when it says, if that is in time.
    if (auto retry = s.GetPayload(kRetryAfterPayload); retry && absl::IsResourceExhausted(s)) {
      int64_t retry_ms = 0;
      const auto wait = std::chrono::milliseconds(
          absl::SimpleAtoi(std::string(*retry), &retry_ms) ? std::max<int64_t>(retry_ms, 1) : 1000);
      if (std::chrono::steady_clock::now() + wait > give_up) return s;
      std::this_thread::sleep_for(wait);
      continue;
    }
    if (!(absl::IsUnavailable(s) || absl::IsDeadlineExceeded(s)) ||
        std::chrono::steady_clock::now() + pause > give_up) {
      return s;
    }
    std::this_thread::sleep_for(pause);
    pause = std::min<std::chrono::steady_clock::duration>(2 * pause, kMaxResendPause);
  }
}

absl::Status Session::ReadInto(const std::string& group_id, GroupView& view) {
  if (!view.state().has_server_key()) {
    auto key = ServerKey();
    if (!key.ok()) return key.status();
    view.set_server_key(*key);
  }
  for (;;) {
    v1::ReadRequest req;
    req.set_group_id(group_id);
    req.set_from_seq(view.state().head_seq() + 1);
    v1::ReadReply reply;
    if (auto s = Call([&](auto* ctx) { return stub_->ReadEvents(ctx, req, &reply); }); !s.ok()) {
      // A former member reads up to the event that ended their membership.
      const bool departed = view.state().created() && !view.state().IsMember(identity_.user_id());
      if (absl::IsPermissionDenied(s) && departed) return absl::OkStatus();
      return s;
    }
    if (reply.head_seq() < view.state().head_seq()) {
      return TwoHistories(absl::StrCat("you verified it up to event ", view.state().head_seq(),
                                       ", and it now says the log ends at ", reply.head_seq()));
    }
    for (const auto& event : reply.events()) {
      if (auto s = ApplyServed(view, event); !s.ok()) return s;
    }
    if (reply.events_size() == 0 || view.state().head_seq() >= reply.head_seq()) {
      return absl::OkStatus();
    }
  }
}

absl::Status Session::ApplyServed(GroupView& view, const v1::Event& event) {
  // Checked before the event is applied, so the view stays where it was and
  // every later read meets the same refusal.
  const Acknowledged* ack = nullptr;
  if (auto group = acknowledged_.find(event.group_id()); group != acknowledged_.end()) {
    if (auto it = group->second.find(event.seq()); it != group->second.end()) ack = &it->second;
  }
  if (ack != nullptr &&
      (ack->signature != event.signed_().signature() || ack->hash != EventHash(event))) {
    return TwoHistories(absl::StrCat("it acknowledged your event at ", event.seq(),
                                     ", and its log has another event there"));
  }
  if (auto s = view.Apply(event); !s.ok()) {
    return absl::DataLossError(absl::StrCat("the group's log failed verification: ", s.message()));
  }
  if (ack != nullptr) acknowledged_[event.group_id()].erase(event.seq());
  return absl::OkStatus();
}

absl::Status Session::CheckAgainstMemory(const std::string& group_id, const GroupView& view) {
  if (memory_ == nullptr || !view.state().created()) return absl::OkStatus();
  const uint64_t head = view.state().head_seq();
  std::optional<VerifiedHead> known = memory_->Recall(group_id);
  if (known && known->seq > head) {
    return TwoHistories(absl::StrCat("you verified it up to event ", known->seq,
                                     " before, and it now ends at ", head));
  }
  if (known && !crypto::ConstantTimeEqual(view.EventHashAt(known->seq), known->hash)) {
    return TwoHistories(absl::StrCat("event ", known->seq, " is not the one you verified before"));
  }
  if (known && known->seq == head) return absl::OkStatus();
  return memory_->Remember(group_id, {head, view.state().head_hash()});
}

absl::Status Session::Heal(const std::string& group_id, GroupView& view) {
  auto commit = BuildCommit(identity_, view.state(), {}, {});
  if (!commit.ok()) return commit.status();
  // Someone else may have re-keyed first (a stale epoch): either way, read on.
  (void)Append(*commit);
  return ReadInto(group_id, view);
}

absl::Status Session::ChangeMemberKeys(const MemberKeyChange& change) {
  if (!keep_member_keys_) {
    change(identity_.member_keys);
    return absl::OkStatus();
  }
  auto kept = keep_member_keys_(change);
  if (!kept.ok()) return kept.status();
  identity_.member_keys = *std::move(kept);
  return absl::OkStatus();
}

absl::StatusOr<const GroupView*> Session::RefreshKeys(const std::string& group_id,
                                                      size_t eager_members) {
  auto view = Sync(group_id);
  if (!view.ok()) return view;
  if (auto s = KeepKeysFresh(group_id, View(group_id), eager_members); !s.ok()) return s;
  return Sync(group_id);
}

absl::Status Session::KeepKeysFresh(const std::string& group_id, GroupView& view,
                                    size_t eager_members) {
  const std::string me = identity_.user_id();
  auto member = view.state().members().find(me);
  if (member == view.state().members().end()) return absl::OkStatus();
  // Published first, so a re-key below seals to the new key.
  const MemberKeyRing::Key* current = identity_.member_keys.Current();
  if (current != nullptr && member->second.member_key.id() != current->id) {
    // A race with another writer shows on reading on; the next append tries again.
    (void)Append(BuildMemberKey(identity_, view.state()));
    if (auto s = ReadInto(group_id, view); !s.ok()) return s;
  }
  // Healed only when this person acts: a re-key on reading would tell
  // whoever sent a faulty one when this person's device is on.
  const GroupState& state = view.state();
  if (!state.MayRekey(me)) return absl::OkStatus();
  // Someone's epoch secret sealed to a key they have since replaced: they
  // cannot erase the old one until the group re-keys. Sealed to their
  // long-term key (the peer of a new direct conversation), it would open
  // with their recovery code for good: that is re-keyed whatever the size,
  // once per member.
  bool stale_seal = !state.stale_seals().empty() && state.members().size() <= eager_members;
  for (const std::string& id : state.stale_seals()) {
    stale_seal = stale_seal || state.members().at(id).sealed_key_id == 0;
  }
  if (view.NeedsHealing() || state.RekeyDue() || stale_seal) return Heal(group_id, view);
  return absl::OkStatus();
}

const GroupView* Session::SyncedView(const std::string& group_id) const {
  auto it = views_.find(group_id);
  return it == views_.end() ? nullptr : it->second.get();
}

absl::StatusOr<const GroupView*> Session::Sync(const std::string& group_id) {
  if (group_id.size() != kIdBytes) return absl::InvalidArgumentError("a group id is 16 bytes");
  GroupView* view = &View(group_id);
  if (auto s = ReadInto(group_id, *view); !s.ok()) return s;
  // Sealed to a member key this process does not hold: another command
  // may have made it since this one started (a long follow). Read the
  // keys again, and the log with them.
  if (keep_member_keys_ && view->state().IsMember(identity_.user_id()) &&
      !view->HasEpochSecret(view->state().epoch())) {
    const size_t held = identity_.member_keys.keys().size();
    const uint64_t newest = identity_.member_keys.Current() ? identity_.member_keys.Current()->id : 0;
    if (auto s = ChangeMemberKeys([](MemberKeyRing&) {}); !s.ok()) return s;
    const MemberKeyRing& ring = identity_.member_keys;
    if (ring.keys().size() != held || (ring.Current() ? ring.Current()->id : 0) != newest) {
      views_.erase(group_id);
      view = &View(group_id);
      if (auto s = ReadInto(group_id, *view); !s.ok()) return s;
    }
  }
  GroupView& view_ref = *view;
  if (auto s = CheckAgainstMemory(group_id, view_ref); !s.ok()) return s;
  return &view_ref;
}

absl::StatusOr<v1::AppendReply> Session::AppendFresh(const std::string& group_id,
                                                     const EventBuild& build) {
  absl::Status last;
  for (int attempt = 0; attempt < kAppendAttempts; ++attempt) {
    auto view = Sync(group_id);
    if (!view.ok()) return view.status();
    if (auto s = KeepKeysFresh(group_id, View(group_id), /*eager_members=*/0); !s.ok()) return s;
    auto event = build(**view);
    if (!event.ok()) return event.status();
    auto reply = Append(*event);
    if (reply.ok() || !Retryable(reply.status())) return reply;
    last = reply.status();
  }
  return last;
}

absl::StatusOr<std::string> Session::ServerKey() {
  if (!server_key_.empty()) return server_key_;
  v1::ServerKey reply;
  if (auto s = CallWithoutSession(
          [&](auto* ctx) { return stub_->GetServerKey(ctx, v1::Empty(), &reply); });
      !s.ok()) {
    return s;
  }
  if (reply.checkpoint_pk().size() != crypto::kSignPublicKeyBytes) {
    return absl::DataLossError("the server's checkpoint key has the wrong size");
  }
  server_key_ = reply.checkpoint_pk();
  return server_key_;
}

absl::StatusOr<v1::Checkpoint> Session::FetchCheckpoint(const std::string& group_id,
                                                        GroupView& view) {
  auto server_key = ServerKey();
  if (!server_key.ok()) return server_key.status();
  v1::GroupRef req;
  req.set_group_id(group_id);
  v1::Checkpoint checkpoint;
  if (auto s = Call([&](auto* ctx) { return stub_->GetCheckpoint(ctx, req, &checkpoint); });
      !s.ok()) {
    return s;
  }
  if (auto s = ReadInto(group_id, view); !s.ok()) return s;
  if (auto s = VerifyCheckpointAgainst(view, *server_key, checkpoint); !s.ok()) return s;
  return checkpoint;
}

absl::StatusOr<v1::Checkpoint> Session::Checkpoint(const std::string& group_id) {
  if (group_id.size() != kIdBytes) return absl::InvalidArgumentError("a group id is 16 bytes");
  return FetchCheckpoint(group_id, View(group_id));
}

absl::StatusOr<Session::Audited> Session::Audit(const std::string& group_id) {
  if (group_id.size() != kIdBytes) return absl::InvalidArgumentError("a group id is 16 bytes");
  auto fresh = std::make_unique<GroupView>(&identity_);
  auto checkpoint = FetchCheckpoint(group_id, *fresh);
  if (!checkpoint.ok()) return checkpoint.status();
  if (auto s = CheckAgainstMemory(group_id, *fresh); !s.ok()) return s;
  auto& slot = views_[group_id];
  slot = std::move(fresh);
  return Audited{slot.get(), *std::move(checkpoint)};
}

absl::Status Session::Follow(const std::string& group_id, uint64_t from_seq,
                             const std::function<bool(const Message&)>& on_message,
                             FollowCancel* cancel) {
  size_t delivered = 0;  // index into the view's messages
  return FollowView(
      group_id,
      [&](const GroupView& view) {
        const auto& messages = view.messages();
        for (; delivered < messages.size(); ++delivered) {
          if (messages[delivered].seq >= from_seq && !on_message(messages[delivered])) return false;
        }
        return true;
      },
      cancel);
}

absl::Status Session::FollowView(const std::string& group_id,
                                 const std::function<bool(const GroupView&)>& on_update,
                                 FollowCancel* cancel) {
  auto view = Sync(group_id);
  if (!view.ok()) return view.status();
  GroupView& live = View(group_id);
  auto deliver = [&] { return on_update(live); };
  if (!deliver()) return absl::OkStatus();
  int backoff_ms = 50;
  while (!(cancel && cancel->cancelled())) {
    grpc::ClientContext ctx;
    Prepare(&ctx, /*with_deadline=*/false);
    if (cancel) cancel->Attach(&ctx);
    v1::FollowRequest req;
    req.set_group_id(group_id);
    req.set_from_seq(live.state().head_seq() + 1);
    auto reader = stub_->Follow(&ctx, req);
    v1::EventBatch batch;
    bool stopped = false;
    absl::Status verify;
    while (!stopped && verify.ok() && reader->Read(&batch)) {
      backoff_ms = 50;
      for (const v1::Event& event : batch.events()) {
        if (verify = ApplyServed(live, event); !verify.ok()) break;
      }
      if (verify.ok()) verify = CheckAgainstMemory(group_id, live);
      if (!verify.ok()) break;
      stopped = !deliver();
    }
    if (stopped || !verify.ok()) ctx.TryCancel();
    grpc::Status status = reader->Finish();
    if (cancel) cancel->Attach(nullptr);
    if (stopped) return absl::OkStatus();
    if (!verify.ok()) return verify;
    switch (status.error_code()) {
      case grpc::StatusCode::UNAUTHENTICATED:
        if (auto s = Login(); !s.ok() && !absl::IsUnavailable(s)) return s;
        break;
      case grpc::StatusCode::UNAVAILABLE:
      case grpc::StatusCode::INTERNAL:
      case grpc::StatusCode::CANCELLED:
      case grpc::StatusCode::OK:
        // The connection or the server went away: resume from the cursor.
        std::this_thread::sleep_for(std::chrono::milliseconds(backoff_ms));
        backoff_ms = std::min(backoff_ms * 2, 1000);
        break;
      default:
        return FromGrpc(status);
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::GroupList> Session::ListGroups() {
  v1::GroupList list;
  if (auto s = Call([&](auto* ctx) { return stub_->ListGroups(ctx, v1::Empty(), &list); });
      !s.ok()) {
    return s;
  }
  return list;
}

}  // namespace kith::client
