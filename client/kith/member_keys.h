// The member keys a device holds (DESIGN.md S10, docs/protocol.md section
// 7): short-lived X25519 keys that epoch secrets are sealed to, newest last.
// The newest is the one published; an older one is kept only while some
// group's epoch still needs it, and its private half is wiped when erased.
#ifndef KITH_CLIENT_MEMBER_KEYS_H_
#define KITH_CLIENT_MEMBER_KEYS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "kith.pb.h"
#include "kith/crypto.h"

namespace kith::client {

class MemberKeyRing {
 public:
  struct Key {
    uint64_t id = 0;         // random, as published
    int64_t created_ms = 0;  // this device's clock, never published
    crypto::BoxKeyPair pair;
  };

  // The newest key; null when the ring is empty.
  const Key* Current() const { return keys_.empty() ? nullptr : &keys_.back(); }
  // The key with `id`; null if this device never had it or erased it.
  const Key* Find(uint64_t id) const;
  // The newest key's public half, as the log carries it (id 0 when empty).
  v1::MemberKey Published() const;
  // Whether the newest key is due to be replaced at `now_ms`: none yet, at
  // least kMemberKeyLifetimeMs old, or made that far ahead of the clock
  // (which went back).
  bool RotationDue(int64_t now_ms) const;
  // Makes a new key, made at `now_ms`, and makes it current.
  const Key& Rotate(int64_t now_ms);
  // Wipes and forgets the key with `id`. The current key is never erased.
  void Erase(uint64_t id);
  const std::vector<Key>& keys() const { return keys_; }

  // In the keystore (KeystoreProfile.member_keys). The secret halves go to
  // locked memory.
  void SaveTo(google::protobuf::RepeatedPtrField<v1::MemberKeySecret>* out) const;
  static MemberKeyRing LoadFrom(
      const google::protobuf::RepeatedPtrField<v1::MemberKeySecret>& stored);

 private:
  std::vector<Key> keys_;  // oldest first
};

}  // namespace kith::client

#endif  // KITH_CLIENT_MEMBER_KEYS_H_
