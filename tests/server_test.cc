// kithd as an operator sees it: the standard gRPC health service and server
// reflection, one structured log line per request that names nobody, and a
// clean stop on SIGTERM that loses nothing.
#include <future>
#include <regex>
#include <sstream>

#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>
#include <grpcpp/generic/generic_stub.h>

#include "absl/strings/str_cat.h"
#include "kith/crypto.h"
#include "kith/server.h"
#include "test_support.h"

namespace kith::testing {
namespace {

class KithdTest : public ServerTest {
 protected:
  std::shared_ptr<grpc::Channel> Channel() {
    grpc::SslCredentialsOptions ssl;
    ssl.pem_root_certs = kithd_->certificate_pem();
    grpc::ChannelArguments args;
    args.SetSslTargetNameOverride("kithd");
    return grpc::CreateCustomChannel(kithd_->address(), grpc::SslCredentials(ssl), args);
  }
};

grpc::ByteBuffer Bytes(const std::string& s) {
  grpc::Slice slice(s);
  return grpc::ByteBuffer(&slice, 1);
}

std::string String(const grpc::ByteBuffer& b) {
  std::vector<grpc::Slice> slices;
  (void)b.Dump(&slices);
  std::string out;
  for (const auto& s : slices) out.append(reinterpret_cast<const char*>(s.begin()), s.size());
  return out;
}

// Calls `method` on `channel` with serialized `request`; the reply's bytes
// go to `response`.
grpc::Status UnaryCall(std::shared_ptr<grpc::Channel> channel, const std::string& method,
                       const std::string& request, std::string* response) {
  grpc::GenericStub stub(std::move(channel));
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  grpc::ByteBuffer request_bytes = Bytes(request), response_bytes;
  std::promise<grpc::Status> done;
  stub.UnaryCall(&ctx, method, grpc::StubOptions(), &request_bytes, &response_bytes,
                 [&](grpc::Status s) { done.set_value(s); });
  grpc::Status status = done.get_future().get();
  *response = String(response_bytes);
  return status;
}

constexpr char kHealthCheck[] = "/grpc.health.v1.Health/Check";
// HealthCheckResponse{status: SERVING (1)}: field 1, varint 1.
const std::string kServing("\x08\x01", 2);

TEST_F(KithdTest, ServesTheStandardHealthCheck) {
  std::string response;
  ASSERT_TRUE(UnaryCall(Channel(), kHealthCheck, "", &response).ok());
  EXPECT_EQ(response, kServing);
}

TEST(HealthListenerTest, AnswersPlaintextProbesAndServesNothingElse) {
  TempDir dir;
  server::ServerOptions options;
  options.listen = "127.0.0.1:0";
  options.data_dir = dir.path() + "/data";
  options.log_requests = false;
  options.health_listen = "127.0.0.1:0";
  auto server = server::Server::Start(options);
  ASSERT_TRUE(server.ok()) << server.status();
  ASSERT_NE((*server)->health_port(), 0);
  auto plain = grpc::CreateChannel(absl::StrCat("127.0.0.1:", (*server)->health_port()),
                                   grpc::InsecureChannelCredentials());
  std::string response;
  ASSERT_TRUE(UnaryCall(plain, kHealthCheck, "", &response).ok());
  EXPECT_EQ(response, kServing);
  EXPECT_EQ(UnaryCall(plain, "/kith.v1.Kith/GetServerKey", "", &response).error_code(),
            grpc::StatusCode::UNIMPLEMENTED);
  (*server)->Shutdown();
}

TEST_F(KithdTest, RunsWithCoreFilesOff) {
  const std::string limits = ReadFile("/proc/" + std::to_string(kithd_->pid()) + "/limits");
  EXPECT_NE(limits.find("Max core file size"), std::string::npos) << limits;
  EXPECT_TRUE(std::regex_search(limits, std::regex("Max core file size +0 +0 "))) << limits;
}

TEST_F(KithdTest, ServesReflection) {
  class ListServices : public grpc::ClientBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer> {
   public:
    // ServerReflectionRequest{list_services: ""}: field 7, length 0.
    explicit ListServices(grpc::GenericStub& stub) : request_(Bytes(std::string("\x3a\x00", 2))) {
      stub.PrepareBidiStreamingCall(&ctx_, "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
                                    grpc::StubOptions(), this);
      StartWrite(&request_);
      StartRead(&response_);
      StartCall();
    }
    void OnWriteDone(bool) override { StartWritesDone(); }
    void OnReadDone(bool ok) override {
      if (ok) text_ = String(response_);
    }
    void OnDone(const grpc::Status& s) override { done_.set_value(s); }
    std::string Wait() {
      done_.get_future().wait();
      return text_;
    }

   private:
    grpc::ClientContext ctx_;
    grpc::ByteBuffer request_, response_;
    std::string text_;
    std::promise<grpc::Status> done_;
  };
  grpc::GenericStub stub(Channel());
  ListServices call(stub);
  const std::string listed = call.Wait();
  EXPECT_NE(listed.find("kith.v1.Kith"), std::string::npos);
  EXPECT_NE(listed.find("grpc.health.v1.Health"), std::string::npos);
}

TEST_F(KithdTest, LogsOneLineARequestNamingNobody) {
  auto alice = Client("alice");
  auto bob = Client("bob");
  const std::string group = CreateGroupWith(*alice, {bob.get()});
  ASSERT_OK(alice->groups().Send(group, "hello").status());
  {
    grpc::ClientContext ctx;
    bob->session().Prepare(&ctx);
    v1::FollowRequest req;
    req.set_group_id(group);
    auto stream = bob->session().stub()->Follow(&ctx, req);
    v1::EventBatch batch;
    ASSERT_TRUE(stream->Read(&batch));
    EXPECT_GT(batch.events_size(), 0);
    ctx.TryCancel();
    stream->Finish();
  }
  ASSERT_EQ(kithd_->Stop(), 0);

  std::istringstream log(ReadFile(kithd_->log_path()));
  int requests = 0, follows = 0;
  for (std::string line; std::getline(log, line);) {
    if (line.empty() || line[0] != '{') continue;
    google::protobuf::Struct entry;
    ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(line, &entry).ok()) << line;
    const auto& f = entry.fields();
    ASSERT_EQ(f.size(), 4u) << line;
    EXPECT_TRUE(f.contains("ts") && f.contains("method") && f.contains("code") && f.contains("us"));
    follows += f.at("method").string_value() == "/kith.v1.Kith/Follow";
    ++requests;
    for (const std::string& id : {alice->identity().user_id(), bob->identity().user_id(), group}) {
      EXPECT_EQ(line.find(crypto::ToHex(id)), std::string::npos) << line;
      EXPECT_EQ(line.find(crypto::ToHex(id).substr(0, 8)), std::string::npos) << line;
    }
  }
  EXPECT_GT(requests, 10);
  EXPECT_EQ(follows, 1);
}

TEST_F(KithdTest, StopsCleanlyOnSigtermAndKeepsEverything) {
  auto alice = Client("alice");
  const std::string group = CreateGroupWith(*alice, {});
  ASSERT_OK(alice->groups().Send(group, "before the stop").status());
  EXPECT_EQ(kithd_->Stop(), 0);
  EXPECT_NE(ReadFile(kithd_->log_path()).find("kithd: stopping"), std::string::npos);
  ASSERT_OK(kithd_->Start());
  auto again = client::Client::Connect({kithd_->address(), kithd_->certificate_pem(), ""},
                                       alice->identity());
  ASSERT_OK(again.status());
  auto view = (*again)->session().Sync(group);
  ASSERT_OK(view.status());
  ASSERT_EQ((*view)->messages().size(), 1u);
  EXPECT_EQ((*view)->messages()[0].text, "before the stop");
  auto groups = (*again)->session().ListGroups();  // the per-user index is rebuilt from the log
  ASSERT_OK(groups.status());
  ASSERT_EQ(groups->groups_size(), 1);
  EXPECT_EQ(groups->groups(0).group_id(), group);
  EXPECT_EQ(groups->groups(0).role(), v1::ROLE_OWNER);
}

TEST_F(KithdTest, RefusesASecondServerOnItsPort) {
  TempDir other;
  const std::string cmd = KithdPath() + " --listen " + kithd_->address() + " --data-dir " +
                          other.path() + "/data > /dev/null 2> " + other.path() + "/err";
  EXPECT_NE(std::system(cmd.c_str()), 0);
  EXPECT_NE(ReadFile(other.path() + "/err").find("cannot listen"), std::string::npos);
}

}  // namespace
}  // namespace kith::testing
