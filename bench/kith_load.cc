// kith_load: Kith's load tool. Starts a real kithd (or targets one) and
// drives it over TLS on loopback with real members: sealed, signed messages
// appended durably, fanned out to every member's own stream.
//
//   kith_load fanout [--members 50] [--senders 16] [--seconds 5] [--rate R]
//       A group of M members, all following, each on its own connection.
//       Saturation: S senders in a closed loop (a sender's messages carry
//       contiguous counters, so each sender has one append in flight).
//       Then half of the measured saturation rate, paced, for latency; or
//       R appends/s, so runs on a machine whose speed varies compare alike.
//   kith_load idle [--followers 5000] [--group-size 50] [--connections 100]
//       kithd's memory with that many idle follower streams.
//   kith_load --cluster fanout ...
//       The same, against cluster mode: a PostgreSQL primary with a
//       synchronous standby and two kithd nodes on it, all started here;
//       members alternate between the nodes, senders and followers alike.
//   kith_load --cluster start [--groups 1000] [--messages 20]
//       Fills the cluster through its nodes, then starts a third node with
//       an empty data directory, and again with the cache it made: how
//       long until it serves one group, and until it has every group.
//
// Prints "RESULT <figure> <value> <unit>" lines, the format of the machine
// limits kit in shared/bench/limits, so bench/run.sh can set them side by side.
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <mutex>
#include <sstream>
#include <thread>

#include <CLI/CLI.hpp>

#include "absl/synchronization/mutex.h"

#include "kith/client.h"
#include "kith/crypto.h"
#include "kith/event_builder.h"
#include "kith/protocol.h"
#include "kithd_process.h"
#include "postgres_process.h"

namespace kith::bench {
namespace {

using Clock = std::chrono::steady_clock;

Clock::duration Seconds(double s) {
  return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(s));
}

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch())
      .count();
}

void Result(const std::string& figure, double value, const std::string& unit) {
  std::printf("RESULT %s %.6g %s\n", figure.c_str(), value, unit.c_str());
  std::fflush(stdout);
}

double Percentile(std::vector<int64_t>& v, double p) {
  if (v.empty()) return 0;
  size_t k = static_cast<size_t>(p / 100.0 * static_cast<double>(v.size() - 1));
  std::nth_element(v.begin(), v.begin() + static_cast<long>(k), v.end());
  return static_cast<double>(v[k]);
}

double RssMiB(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;
  }
  return 0;
}

// CPU seconds a process has used (user and system), from /proc; "self" for
// this tool.
double CpuSeconds(const std::string& pid) {
  std::ifstream in("/proc/" + pid + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // Fields after the command name, which is in parentheses and may hold spaces.
  std::istringstream fields(stat.substr(stat.rfind(')') + 2));
  std::string field;
  double ticks = 0;
  for (int i = 3; i <= 15 && fields >> field; ++i) {
    if (i >= 14) ticks += std::stod(field);  // utime, stime
  }
  return ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
}

void Die(const std::string& what, const absl::Status& s) {
  std::fprintf(stderr, "kith_load: %s: %s\n", what.c_str(), s.ToString().c_str());
  std::exit(1);
}

// The servers under load: started here unless --target names one.
struct Target {
  std::unique_ptr<testing::TempDir> dir;
  std::unique_ptr<testing::PostgresProcess> primary, standby;  // cluster mode
  std::vector<std::unique_ptr<testing::KithdProcess>> nodes;
  std::vector<std::string> node_args;  // kithd's arguments beyond the defaults
  std::vector<std::string> addresses;
  std::string ca_pem;
  // The one kithd's process id, if this tool started one alone.
  int pid() const { return nodes.size() == 1 ? nodes[0]->pid() : 0; }
  std::string key_prefix() const { return nodes.size() > 1 ? "kith.cluster2" : "kith"; }
};

Target StartTarget(const std::string& address, const std::string& ca_file, bool cluster) {
  Target t;
  if (!address.empty()) {
    t.addresses.push_back(address);
    t.ca_pem = testing::ReadFile(ca_file);
    return t;
  }
  t.dir = std::make_unique<testing::TempDir>();
  std::vector<std::string> args;
  if (cluster) {
    std::fprintf(stderr, "kith_load: starting PostgreSQL, a synchronous standby and two kithd nodes...\n");
    for (const char* d : {"/primary", "/standby", "/a", "/b"}) {
      std::filesystem::create_directory(t.dir->path() + d);
    }
    t.primary = std::make_unique<testing::PostgresProcess>(t.dir->path() + "/primary");
    t.standby = std::make_unique<testing::PostgresProcess>(t.dir->path() + "/standby");
    if (auto s = t.primary->Start(); !s.ok()) Die("starting PostgreSQL", s);
    if (auto s = t.standby->StartStandbyOf(*t.primary); !s.ok()) Die("starting the standby", s);
    if (auto s = t.primary->RequireSynchronousStandby(); !s.ok()) Die("making it synchronous", s);
    args = {"--store", "postgres", "--pg", t.primary->conninfo()};
  }
  // The load tool measures the write path, not the per-account limit.
  args.insert(args.end(), {"--max-appends-per-second", "0"});
  t.node_args = args;
  for (const char* name : cluster ? std::vector<const char*>{"/a", "/b"} : std::vector<const char*>{""}) {
    auto node = std::make_unique<testing::KithdProcess>(t.dir->path() + name, args);
    // Cluster nodes share one identity: the first node's, copied before the second starts.
    if (!t.nodes.empty()) {
      if (auto s = testing::ShareNodeIdentity(t.nodes[0]->data_dir(), node->data_dir()); !s.ok()) {
        Die("sharing the identity", s);
      }
    }
    if (auto s = node->Start(); !s.ok()) Die("starting kithd", s);
    t.addresses.push_back(node->address());
    t.ca_pem = node->certificate_pem();
    t.nodes.push_back(std::move(node));
  }
  return t;
}

// Member i connects to node i mod nodes.
std::unique_ptr<client::Client> NewMember(const Target& t, const std::string& name, size_t i) {
  auto c = client::Client::Connect({t.addresses[i % t.addresses.size()], t.ca_pem, ""},
                                   client::Identity::Generate(name));
  if (!c.ok()) Die("connecting", c.status());
  if (auto s = (*c)->account().Register(); !s.ok()) Die("registering", s);
  return *std::move(c);
}

// A group owned by members[0] with every other member admitted in one re-key.
std::string FormGroup(const std::vector<client::Client*>& members, const std::string& name) {
  v1::Charter charter;
  charter.set_name(name);
  charter.add_rules("no_contempt");
  auto group = members[0]->groups().CreateGroup(charter);
  if (!group.ok()) Die("creating a group", group.status());
  auto accepted = members[0]->groups().GetCharter(*group);
  if (!accepted.ok()) Die("reading the charter", accepted.status());
  std::vector<std::string> ids;
  for (size_t i = 1; i < members.size(); ++i) {
    auto code = members[0]->groups().Invite(*group);
    if (!code.ok()) Die("inviting", code.status());
    if (auto s = members[i]->groups().Join(*code, *accepted); !s.ok()) Die("joining", s);
    ids.push_back(members[i]->identity().user_id());
  }
  if (auto s = members[0]->groups().Admit(*group, ids); !s.ok()) Die("admitting", s);
  return *group;
}

// One member's stream: records when each event arrived, by sequence number.
// It reads only the batch: the time each event was sent is looked up by its
// sequence number afterwards, so the tool's own work per delivery stays
// small on a machine it shares with the server.
class Follower final : public grpc::ClientReadReactor<v1::EventBatch> {
 public:
  struct Delivery {
    int64_t arrived_ns;
    uint64_t seq;
  };

  Follower(client::Client* member, const std::string& group, uint64_t from) {
    member->session().Prepare(&ctx_, /*with_deadline=*/false);
    v1::FollowRequest req;
    req.set_group_id(group);
    req.set_from_seq(from);
    deliveries_.reserve(1 << 18);
    member->session().stub()->async()->Follow(&ctx_, &req, this);
    StartRead(&batch_);
    StartCall();
  }

  void OnReadDone(bool ok) override {
    if (!ok) return;
    const int64_t now = NowNs();
    {
      std::lock_guard<std::mutex> lock(mu_);
      for (const v1::Event& event : batch_.events()) deliveries_.push_back({now, event.seq()});
    }
    StartRead(&batch_);
  }
  void OnDone(const grpc::Status&) override {
    std::lock_guard<std::mutex> lock(mu_);
    done_ = true;
    cv_.notify_all();
  }
  void Stop() {
    ctx_.TryCancel();
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [this] { return done_; });
  }
  size_t count() {
    std::lock_guard<std::mutex> lock(mu_);
    return deliveries_.size();
  }
  // Deliveries that arrived in [from_ns, to_ns), and the latency of each
  // whose send time `sent_ns(seq)` knows (0 if not).
  template <typename SentNs>
  void Collect(int64_t from_ns, int64_t to_ns, const SentNs& sent_ns, size_t* count,
               std::vector<int64_t>* latencies) {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& d : deliveries_) {
      if (d.arrived_ns < from_ns || d.arrived_ns >= to_ns) continue;
      ++*count;
      if (const int64_t sent = sent_ns(d.seq); sent > 0) latencies->push_back(d.arrived_ns - sent);
    }
  }

 private:
  grpc::ClientContext ctx_;
  v1::EventBatch batch_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Delivery> deliveries_;
  bool done_ = false;
};

struct FanoutOptions {
  int members = 50;
  int senders = 16;
  double seconds = 5;
  double warmup = 1;
  int text_bytes = 1000;
  int messages_per_sender = 3000;
  double rate = 0;  // appends/s of the paced phase; 0: half of saturation
};

void Fanout(const Target& target, const FanoutOptions& o) {
  std::fprintf(stderr, "kith_load: forming a group of %d...\n", o.members);
  std::vector<std::unique_ptr<client::Client>> owned;
  std::vector<client::Client*> members;
  for (int i = 0; i < o.members; ++i) {
    owned.push_back(NewMember(target, "member" + std::to_string(i), i));
    members.push_back(owned.back().get());
  }
  const std::string group = FormGroup(members, "load");
  const int senders = std::min(o.senders, o.members);

  // Each sender's messages, sealed in advance so the load generator spends
  // its CPU on sending.
  std::fprintf(stderr, "kith_load: sealing %d messages for each of %d senders...\n",
               o.messages_per_sender, senders);
  std::vector<std::vector<v1::SignedEvent>> sealed(senders);
  uint64_t start_seq = 0;
  {
    std::vector<std::thread> threads;
    std::mutex mu;
    for (int s = 0; s < senders; ++s) {
      auto view = members[s]->session().Sync(group);
      if (!view.ok()) Die("syncing", view.status());
      start_seq = (*view)->state().head_seq() + 1;
      threads.emplace_back([&, s, view = *view] {
        std::vector<v1::MessageContent> contents(o.messages_per_sender);
        for (int i = 0; i < o.messages_per_sender; ++i) {
          std::string t = "sender " + std::to_string(s) + " message " + std::to_string(i) + " ";
          t.resize(o.text_bytes, '.');
          contents[i].set_text(std::move(t));
        }
        auto out = view->SealMessages(contents);
        if (!out.ok()) Die("sealing", out.status());
        std::lock_guard<std::mutex> lock(mu);
        sealed[s] = *std::move(out);
      });
    }
    for (auto& t : threads) t.join();
  }
  // When each event from start_seq on was sent, by sequence number, as its
  // append's answer tells; written before the append is counted done.
  std::vector<int64_t> sent_at(static_cast<size_t>(senders) * o.messages_per_sender, 0);
  auto sent_slot = [&](uint64_t seq) -> int64_t* {
    return seq >= start_seq && seq - start_seq < sent_at.size() ? &sent_at[seq - start_seq] : nullptr;
  };
  std::vector<std::unique_ptr<Follower>> followers;
  for (auto* m : members) followers.push_back(std::make_unique<Follower>(m, group, start_seq));

  // Senders append their messages in order with one append in flight each,
  // through gRPC's callback API (no thread per sender). At saturation each
  // completion issues the sender's next append; when paced, one thread hands
  // the next slot to an idle sender, round robin.
  std::vector<size_t> next(senders, 0);
  // Each sender's last acknowledged event: what its next message refers to
  // once the one it was sealed against is half a reference window behind
  // (the log refuses a reference older than kRefWindow events), signed
  // again as it is sent.
  std::vector<v1::AppendReply> last_ack(senders);
  std::vector<std::vector<int64_t>> acked_at(senders);
  std::vector<std::vector<int64_t>> ack_latency(senders);  // parallel to acked_at
  std::unique_ptr<std::atomic<bool>[]> busy(new std::atomic<bool>[senders]());
  std::atomic<bool> stop{false};
  std::atomic<bool> paced{false};
  std::mutex outstanding_mu;
  std::condition_variable outstanding_cv;
  int outstanding = 0;
  struct Call {
    grpc::ClientContext ctx;
    v1::AppendRequest req;
    v1::AppendReply reply;
    int64_t sent_ns;
  };
  std::function<void(int)> issue = [&](int s) {
    if (next[s] >= sealed[s].size()) {
      busy[s] = false;
      return;
    }
    auto* call = new Call;
    members[s]->session().Prepare(&call->ctx);
    *call->req.mutable_event() = sealed[s][next[s]];
    if (last_ack[s].seq() > 0) {
      v1::EventBody body;
      body.ParseFromString(call->req.event().body());
      if (body.ref_seq() + kRefWindow / 2 < last_ack[s].seq()) {
        body.set_ref_seq(last_ack[s].seq());
        body.set_ref_hash(last_ack[s].event_hash());
        *call->req.mutable_event() = SignEvent(body, members[s]->identity().sign.secret_key);
      }
    }
    {
      std::lock_guard<std::mutex> lock(outstanding_mu);
      ++outstanding;
    }
    call->sent_ns = NowNs();
    members[s]->session().stub()->async()->Append(
        &call->ctx, &call->req, &call->reply, [&, s, call](grpc::Status st) {
          if (!st.ok()) Die("appending", client::FromGrpc(st));
          const int64_t acked = NowNs();
          acked_at[s].push_back(acked);
          ack_latency[s].push_back(acked - call->sent_ns);
          if (int64_t* slot = sent_slot(call->reply.seq())) *slot = call->sent_ns;
          last_ack[s] = call->reply;
          ++next[s];
          delete call;
          if (!stop && !paced) {
            issue(s);
          } else {
            busy[s] = false;
          }
          std::lock_guard<std::mutex> lock(outstanding_mu);
          --outstanding;
          outstanding_cv.notify_all();
        });
  };
  // CPU used so far by kithd and by this tool, read at the start and the
  // end of the measured part of a phase.
  struct CpuUse {
    int64_t at_ns = 0;
    double server = 0, load = 0;
  };
  const std::string server_pid = target.pid() ? std::to_string(target.pid()) : "";
  auto cpu_now = [&] {
    return CpuUse{NowNs(), server_pid.empty() ? 0 : CpuSeconds(server_pid), CpuSeconds("self")};
  };
  CpuUse cpu_from, cpu_to;
  auto run_phase = [&](double seconds, int64_t interval_ns) {
    stop = false;
    paced = interval_ns > 0;
    const int64_t begin = NowNs();
    const auto end = Clock::now() + Seconds(seconds);
    const auto measured = Clock::now() + Seconds(o.warmup);
    bool measuring = false;
    if (!paced) {
      for (int s = 0; s < senders; ++s) {
        busy[s] = true;
        issue(s);
      }
      std::this_thread::sleep_until(measured);
      cpu_from = cpu_now();
      std::this_thread::sleep_until(end);
    } else {
      auto due = Clock::now();
      for (int turn = 0; Clock::now() < end; ++turn) {
        if (!measuring && Clock::now() >= measured) {
          measuring = true;
          cpu_from = cpu_now();
        }
        std::this_thread::sleep_until(due);
        due += std::chrono::nanoseconds(interval_ns);
        for (int i = 0; i < senders; ++i) {  // the next idle sender takes the slot
          const int s = (turn + i) % senders;
          bool idle = false;
          if (busy[s].compare_exchange_strong(idle, true)) {
            issue(s);
            break;
          }
        }
      }
    }
    cpu_to = cpu_now();
    stop = true;
    std::unique_lock<std::mutex> lock(outstanding_mu);
    outstanding_cv.wait(lock, [&] { return outstanding == 0; });
    return std::make_pair(begin, NowNs());
  };
  auto wait_for_followers = [&] {
    size_t total = 0;
    for (int s = 0; s < senders; ++s) total += next[s];
    for (auto& f : followers) {
      for (int i = 0; i < 1000 && f->count() < total; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      }
    }
  };
  auto report = [&](const std::string& key, int64_t from, int64_t to) {
    size_t appends = 0, deliveries = 0;
    std::vector<int64_t> acks;
    for (int s = 0; s < senders; ++s) {
      for (size_t i = 0; i < acked_at[s].size(); ++i) {
        if (acked_at[s][i] < from || acked_at[s][i] >= to) continue;
        ++appends;
        acks.push_back(ack_latency[s][i]);
      }
    }
    std::vector<int64_t> latencies;
    auto sent_ns = [&](uint64_t seq) -> int64_t {
      const int64_t* slot = sent_slot(seq);
      return slot ? *slot : 0;
    };
    for (auto& f : followers) f->Collect(from, to, sent_ns, &deliveries, &latencies);
    const double secs = static_cast<double>(to - from) / 1e9;
    Result(key + ".appends_per_s", static_cast<double>(appends) / secs, "appends/s");
    Result(key + ".deliveries_per_s", static_cast<double>(deliveries) / secs, "deliveries/s");
    Result(key + ".append_ack_p50_us", Percentile(acks, 50) / 1e3, "us");
    Result(key + ".append_ack_p99_us", Percentile(acks, 99) / 1e3, "us");
    Result(key + ".delivery_p50_us", Percentile(latencies, 50) / 1e3, "us");
    Result(key + ".delivery_p99_us", Percentile(latencies, 99) / 1e3, "us");
    // The tool stands in for members on their own devices: its CPU is what
    // sharing this machine costs the server, not work the server does.
    const double cpu_secs = static_cast<double>(cpu_to.at_ns - cpu_from.at_ns) / 1e9;
    Result(key + ".load_cpu_pct", 100 * (cpu_to.load - cpu_from.load) / cpu_secs, "%");
    if (!server_pid.empty()) {
      Result(key + ".server_cpu_pct", 100 * (cpu_to.server - cpu_from.server) / cpu_secs, "%");
    }
    return static_cast<double>(appends) / secs;
  };

  const std::string key = target.key_prefix() + ".fanout.m" + std::to_string(o.members);
  std::fprintf(stderr, "kith_load: saturation, %d senders...\n", senders);
  auto [sat_begin, sat_end] = run_phase(o.warmup + o.seconds, 0);
  wait_for_followers();
  const int64_t warm = static_cast<int64_t>(o.warmup * 1e9);
  const double saturation = report(key + ".sat", sat_begin + warm, sat_end);

  const double rate = o.rate > 0 ? o.rate : saturation / 2;
  const std::string paced_key =
      o.rate > 0 ? key + ".rate" + std::to_string(static_cast<int>(rate)) : key + ".half";
  std::fprintf(stderr, "kith_load: paced at %.0f appends/s...\n", rate);
  const int64_t interval = static_cast<int64_t>(1e9 / std::max(rate, 1.0));
  auto [paced_begin, paced_end] = run_phase(o.warmup + o.seconds, interval);
  wait_for_followers();
  report(paced_key, paced_begin + warm, paced_end);
  for (auto& f : followers) f->Stop();
  if (target.pid()) Result("kith.server_rss_mib", RssMiB(target.pid()), "MiB");
  for (int s = 0; s < senders; ++s) {
    if (next[s] >= sealed[s].size()) {
      std::fprintf(stderr, "kith_load: sender %d ran out of sealed messages; raise --messages\n", s);
    }
  }
}

struct StartOptions {
  int groups = 1000;
  int messages = 20;
  int owners = 8;
};

// How long a node takes, from its launch, to serve one group's log and to
// list every group (which it answers only once it has loaded them all).
void TimeNodeStart(testing::KithdProcess& node, const Target& target, const client::Identity& owner,
                   const std::string& group, const std::string& key) {
  const auto launched = Clock::now();
  if (auto s = node.Start(); !s.ok()) Die("starting the third node", s);
  const auto serving = Clock::now();
  auto reader = client::Client::Connect({node.address(), target.ca_pem, ""}, owner);
  if (!reader.ok()) Die("connecting", reader.status());
  auto view = (*reader)->session().Sync(group);
  if (!view.ok()) Die("reading a group through the new node", view.status());
  const auto first_read = Clock::now();
  for (;;) {
    auto listed = (*reader)->session().ListGroups();
    if (listed.ok()) break;
    if (!absl::IsUnavailable(listed.status())) Die("listing groups", listed.status());
  }
  const auto all = Clock::now();
  auto ms = [launched](Clock::time_point t) {
    return std::chrono::duration<double, std::milli>(t - launched).count();
  };
  Result(key + ".serving_ms", ms(serving), "ms");
  Result(key + ".first_group_read_ms", ms(first_read), "ms");
  Result(key + ".all_groups_ms", ms(all), "ms");
}

void Start(const Target& target, const StartOptions& o) {
  std::fprintf(stderr, "kith_load: %d groups of %d messages through %zu nodes...\n", o.groups,
               o.messages, target.addresses.size());
  std::vector<client::Identity> owners;
  std::vector<std::vector<std::string>> groups(o.owners);
  for (int i = 0; i < o.owners; ++i) owners.push_back(client::Identity::Generate("owner"));
  std::vector<std::thread> fill;
  for (int i = 0; i < o.owners; ++i) {
    fill.emplace_back([&, i] {
      auto owner = client::Client::Connect(
          {target.addresses[i % target.addresses.size()], target.ca_pem, ""}, owners[i]);
      if (!owner.ok()) Die("connecting", owner.status());
      if (auto s = (*owner)->account().Register(); !s.ok()) Die("registering", s);
      for (int g = i; g < o.groups; g += o.owners) {
        v1::Charter charter;
        charter.set_name(absl::StrCat("Group ", g));
        auto group = (*owner)->groups().CreateGroup(charter);
        if (!group.ok()) Die("creating a group", group.status());
        for (int m = 0; m < o.messages; ++m) {
          if (auto sent = (*owner)->groups().Send(*group, absl::StrCat("message ", m));
              !sent.ok()) {
            Die("sending", sent.status());
          }
        }
        groups[i].push_back(*group);
      }
    });
  }
  for (auto& t : fill) t.join();
  const std::string key = absl::StrCat(target.key_prefix(), ".start.g", o.groups, ".m", o.messages);
  Result(key + ".events", static_cast<double>(o.groups) * (o.messages + 1), "events");

  testing::KithdProcess node(target.dir->path() + "/c", target.node_args);
  if (auto s = testing::ShareNodeIdentity(target.nodes[0]->data_dir(), node.data_dir()); !s.ok()) {
    Die("sharing the identity", s);
  }
  std::fprintf(stderr, "kith_load: starting a third node, empty...\n");
  TimeNodeStart(node, target, owners[0], groups[0].back(), key + ".empty");
  node.Stop();
  std::fprintf(stderr, "kith_load: starting it again, on its cache...\n");
  TimeNodeStart(node, target, owners[0], groups[0].back(), key + ".cached");
}

struct IdleOptions {
  int followers = 5000;
  int group_size = 50;
  int connections = 100;
};

// A member without the client library's per-member channel: many of them
// share a few connections, as many people behind one NAT would.
struct LightMember {
  client::Identity identity;
  std::string token;
};

void Idle(const Target& target, const IdleOptions& o) {
  // Each group: an owner (not following) and group_size following members.
  const int groups = std::max(1, o.followers / o.group_size);
  std::fprintf(stderr, "kith_load: %d groups of %d followers over %d connections...\n", groups,
               o.group_size, o.connections);
  grpc::SslCredentialsOptions ssl;
  ssl.pem_root_certs = target.ca_pem;
  std::vector<std::unique_ptr<v1::Kith::Stub>> stubs;
  for (int i = 0; i < o.connections; ++i) {
    grpc::ChannelArguments args;
    args.SetSslTargetNameOverride("kithd");
    args.SetInt("kith.connection", i);  // distinct arguments: a connection each
    stubs.push_back(v1::Kith::NewStub(
        grpc::CreateCustomChannel(target.addresses[0], grpc::SslCredentials(ssl), args)));
  }
  auto login = [&](v1::Kith::Stub* stub, const client::Identity& id) {
    grpc::ClientContext c1;
    v1::RegisterRequest reg;
    *reg.mutable_bundle() = id.Bundle();
    v1::RegisterReply reg_reply;
    if (auto s = stub->Register(&c1, reg, &reg_reply); !s.ok()) Die("registering", client::FromGrpc(s));
    grpc::ClientContext c2;
    v1::Challenge challenge;
    stub->GetChallenge(&c2, v1::Empty(), &challenge);
    v1::LoginRequest req = id.SignLogin(challenge.nonce());
    grpc::ClientContext c3;
    v1::LoginReply reply;
    if (auto s = stub->Login(&c3, req, &reply); !s.ok()) Die("logging in", client::FromGrpc(s));
    return crypto::ToHex(reply.token());
  };

  std::vector<std::string> group_ids(groups);
  std::vector<std::vector<LightMember>> people(groups);
  std::vector<std::thread> threads;
  for (int w = 0; w < 2; ++w) {
    threads.emplace_back([&, w] {
      for (int g = w; g < groups; g += 2) {
        auto owner = NewMember(target, "owner" + std::to_string(g), 0);
        v1::Charter charter;
        charter.set_name("idle " + std::to_string(g));
        auto group = owner->groups().CreateGroup(charter);
        if (!group.ok()) Die("creating a group", group.status());
        auto accepted = owner->groups().GetCharter(*group);
        std::vector<std::string> ids;
        for (int i = 0; i < o.group_size; ++i) {
          LightMember m{client::Identity::Generate("m"), ""};
          v1::Kith::Stub* stub = stubs[(g * o.group_size + i) % stubs.size()].get();
          m.token = login(stub, m.identity);
          auto code = owner->groups().Invite(*group);
          if (!code.ok()) Die("inviting", code.status());
          v1::JoinGroupRequest join;
          join.set_group_id(*group);
          *join.mutable_request() =
              client::BuildJoinRequest(m.identity, *group, code->secret, *accepted);
          grpc::ClientContext ctx;
          ctx.AddMetadata("authorization", "Bearer " + m.token);
          v1::AppendReply reply;
          if (auto s = stub->JoinGroup(&ctx, join, &reply); !s.ok()) Die("joining", client::FromGrpc(s));
          ids.push_back(m.identity.user_id());
          people[g].push_back(std::move(m));
        }
        if (auto s = owner->groups().Admit(*group, ids); !s.ok()) Die("admitting", s);
        group_ids[g] = *group;
      }
    });
  }
  for (auto& t : threads) t.join();

  const double before = RssMiB(target.pid());
  // Idle streams: each reads the group's backlog, then waits.
  class IdleStream final : public grpc::ClientReadReactor<v1::EventBatch> {
   public:
    IdleStream(v1::Kith::Stub* stub, const std::string& token, const std::string& group) {
      ctx_.AddMetadata("authorization", "Bearer " + token);
      v1::FollowRequest req;
      req.set_group_id(group);
      stub->async()->Follow(&ctx_, &req, this);
      StartRead(&batch_);
      StartCall();
    }
    void OnReadDone(bool ok) override {
      if (!ok) return;
      if (batch_.events_size() > 0) seen_.store(batch_.events(batch_.events_size() - 1).seq());
      StartRead(&batch_);
    }
    void OnDone(const grpc::Status& s) override { done_ = true; }
    uint64_t seen() const { return seen_.load(); }
    void Cancel() { ctx_.TryCancel(); }
    bool done() const { return done_; }

   private:
    grpc::ClientContext ctx_;
    v1::EventBatch batch_;
    std::atomic<uint64_t> seen_{0};
    std::atomic<bool> done_{false};
  };
  std::vector<std::unique_ptr<IdleStream>> streams;
  for (int g = 0; g < groups; ++g) {
    for (size_t i = 0; i < people[g].size(); ++i) {
      streams.push_back(std::make_unique<IdleStream>(
          stubs[(g * o.group_size + i + 1) % stubs.size()].get(), people[g][i].token, group_ids[g]));
    }
  }
  // Every stream has its backlog (each group's log ends with the admission).
  const uint64_t backlog = 2 + 2 * static_cast<uint64_t>(o.group_size);
  for (auto& s : streams) {
    for (int i = 0; i < 3000 && s->seen() < backlog && !s->done(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  std::this_thread::sleep_for(std::chrono::seconds(1));
  const double after = RssMiB(target.pid());
  size_t live = std::count_if(streams.begin(), streams.end(),
                              [](const auto& s) { return !s->done(); });
  Result("kith.idle.followers", static_cast<double>(live), "streams");
  Result("kith.idle.rss_before_mib", before, "MiB");
  Result("kith.idle.rss_mib", after, "MiB");
  Result("kith.idle.per_follower_kib", (after - before) * 1024.0 / std::max<size_t>(live, 1), "KiB");
  for (auto& s : streams) s->Cancel();
  for (auto& s : streams) {
    while (!s->done()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

}  // namespace
}  // namespace kith::bench

int main(int argc, char** argv) {
  using namespace kith::bench;
  if (!kith::crypto::Init().ok()) return 1;
  // As in kithd: no mutex deadlock detection in the load generator's hot paths.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  rlimit files{};
  getrlimit(RLIMIT_NOFILE, &files);
  files.rlim_cur = files.rlim_max;
  setrlimit(RLIMIT_NOFILE, &files);

  CLI::App app{"kith_load: load Kith over TLS on loopback"};
  app.require_subcommand(1);
  std::string address, ca;
  app.add_option("--target", address, "HOST:PORT of a running kithd (default: start one)");
  app.add_option("--ca", ca, "its certificate, with --target");
  bool cluster = false;
  app.add_flag("--cluster", cluster,
               "start cluster mode (PostgreSQL, a synchronous standby, two kithd nodes)");
  FanoutOptions f;
  auto* fanout = app.add_subcommand("fanout", "throughput and latency of one group");
  fanout->add_option("--members", f.members)->capture_default_str();
  fanout->add_option("--senders", f.senders)->capture_default_str();
  fanout->add_option("--seconds", f.seconds, "measured seconds per phase")->capture_default_str();
  fanout->add_option("--text-bytes", f.text_bytes)->capture_default_str();
  fanout->add_option("--messages", f.messages_per_sender, "sealed in advance per sender")
      ->capture_default_str();
  fanout->add_option("--rate", f.rate, "appends/s of the paced phase (default: half of saturation)")
      ->check(CLI::PositiveNumber);
  StartOptions st;
  auto* start = app.add_subcommand("start", "how soon a new or restarted cluster node serves");
  start->add_option("--groups", st.groups)->capture_default_str();
  start->add_option("--messages", st.messages, "per group")->capture_default_str();
  IdleOptions i;
  auto* idle = app.add_subcommand("idle", "kithd's memory with many idle followers");
  idle->add_option("--followers", i.followers)->capture_default_str();
  idle->add_option("--group-size", i.group_size)->capture_default_str();
  idle->add_option("--connections", i.connections)->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  if (idle->parsed() && address.empty() == false) {
    std::fprintf(stderr, "kith_load: idle measures kithd's memory, so it starts its own\n");
    return 2;
  }
  if (cluster && (idle->parsed() || !address.empty())) {
    std::fprintf(stderr, "kith_load: --cluster runs fanout or start against nodes it starts\n");
    return 2;
  }
  if (start->parsed() && !cluster) {
    std::fprintf(stderr, "kith_load: start measures cluster nodes: add --cluster\n");
    return 2;
  }
  Target target = StartTarget(address, ca, cluster);
  if (fanout->parsed()) Fanout(target, f);
  if (idle->parsed()) Idle(target, i);
  if (start->parsed()) Start(target, st);
  return 0;
}
