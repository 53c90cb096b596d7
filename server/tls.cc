#include "kith/tls.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <filesystem>
#include <memory>

#include "absl/strings/str_cat.h"
#include "kith/files.h"

namespace kith::server {
namespace {

template <typename T, void (*F)(T*)>
struct Deleter {
  void operator()(T* p) const { F(p); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using X509Ptr = std::unique_ptr<X509, Deleter<X509, X509_free>>;
using BioPtr = std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>>;

std::string BioContents(BIO* bio) {
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<size_t>(len));
}

absl::Status AddExtension(X509* cert, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  if (ext == nullptr) return absl::InternalError("could not build a certificate extension");
  X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
  return absl::OkStatus();
}

absl::StatusOr<TlsIdentity> Generate() {
  PkeyPtr key(EVP_EC_gen("P-256"));
  X509Ptr cert(X509_new());
  if (!key || !cert) return absl::InternalError("could not generate a TLS key");
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), static_cast<long>(time(nullptr)));
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 10L * 365 * 24 * 3600);
  X509_set_pubkey(cert.get(), key.get());
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(kTlsServerName), -1, -1, 0);
  X509_set_issuer_name(cert.get(), name);
  const std::string san = absl::StrCat("DNS:", kTlsServerName, ",DNS:localhost,IP:127.0.0.1");
  for (auto [nid, value] : {std::pair<int, const char*>{NID_subject_alt_name, san.c_str()},
                            {NID_basic_constraints, "critical,CA:TRUE"},
                            {NID_key_usage, "critical,digitalSignature,keyCertSign"},
                            {NID_ext_key_usage, "serverAuth"}}) {
    if (auto s = AddExtension(cert.get(), nid, value); !s.ok()) return s;
  }
  if (X509_sign(cert.get(), key.get(), EVP_sha256()) == 0) {
    return absl::InternalError("could not sign the TLS certificate");
  }
  BioPtr cert_bio(BIO_new(BIO_s_mem()));
  BioPtr key_bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_X509(cert_bio.get(), cert.get());
  PEM_write_bio_PrivateKey(key_bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr);
  return TlsIdentity{BioContents(cert_bio.get()), BioContents(key_bio.get())};
}

}  // namespace

absl::StatusOr<TlsIdentity> LoadOrCreateTlsIdentity(const std::string& tls_dir) {
  const std::string cert_path = tls_dir + "/server.crt";
  const std::string key_path = tls_dir + "/server.key";
  if (!std::filesystem::exists(cert_path)) {
    std::error_code ec;
    std::filesystem::create_directories(tls_dir, ec);
    if (ec) return absl::InternalError(absl::StrCat("cannot create ", tls_dir));
    auto identity = Generate();
    if (!identity.ok()) return identity.status();
    // The key first: a certificate on disk always has its key beside it.
    if (auto s = WriteFileAtomically(key_path, identity->private_key_pem, 0600); !s.ok()) return s;
    if (auto s = WriteFileAtomically(cert_path, identity->certificate_pem, 0644); !s.ok()) return s;
    return identity;
  }
  auto cert = ReadFile(cert_path);
  if (!cert.ok()) return cert.status();
  auto key = ReadFile(key_path);
  if (!key.ok()) return key.status();
  return TlsIdentity{*std::move(cert), *std::move(key)};
}

}  // namespace kith::server
