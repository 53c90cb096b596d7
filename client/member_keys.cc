#include "kith/member_keys.h"

#include <algorithm>
#include <cstring>

#include "kith/protocol.h"

namespace kith::client {

const MemberKeyRing::Key* MemberKeyRing::Find(uint64_t id) const {
  for (const Key& key : keys_) {
    if (key.id == id) return &key;
  }
  return nullptr;
}

v1::MemberKey MemberKeyRing::Published() const {
  v1::MemberKey out;
  if (const Key* key = Current()) {
    out.set_id(key->id);
    out.set_box_pk(key->pair.public_key);
  }
  return out;
}

bool MemberKeyRing::RotationDue(int64_t now_ms) const {
  const Key* current = Current();
  return current == nullptr || now_ms - current->created_ms >= kMemberKeyLifetimeMs ||
         current->created_ms - now_ms >= kMemberKeyLifetimeMs;
}

const MemberKeyRing::Key& MemberKeyRing::Rotate(int64_t now_ms) {
  uint64_t id = 0;
  while (id == 0 || Find(id) != nullptr) {
    const std::string bytes = crypto::RandomBytes(sizeof id);
    std::memcpy(&id, bytes.data(), sizeof id);
  }
  keys_.push_back(Key{id, now_ms, crypto::GenerateBoxKeyPair()});
  return keys_.back();
}

void MemberKeyRing::Erase(uint64_t id) {
  if (keys_.empty() || keys_.back().id == id) return;
  // Secret's destructor wipes the private half.
  std::erase_if(keys_, [id](const Key& key) { return key.id == id; });
}

void MemberKeyRing::SaveTo(google::protobuf::RepeatedPtrField<v1::MemberKeySecret>* out) const {
  out->Clear();
  for (const Key& key : keys_) {
    v1::MemberKeySecret* stored = out->Add();
    stored->set_id(key.id);
    stored->set_box_pk(key.pair.public_key);
    stored->set_box_sk(std::string(key.pair.secret_key.view()));
    stored->set_created_ms(key.created_ms);
  }
}

MemberKeyRing MemberKeyRing::LoadFrom(
    const google::protobuf::RepeatedPtrField<v1::MemberKeySecret>& stored) {
  MemberKeyRing ring;
  for (const v1::MemberKeySecret& key : stored) {
    ring.keys_.push_back(Key{key.id(), key.created_ms(),
                             {key.box_pk(), crypto::Secret::LockedCopy(key.box_sk())}});
  }
  return ring;
}

}  // namespace kith::client
