// An event encoded once for fan-out. The encoding is a serialized EventBatch
// holding just that event, i.e. the event as field 1; by protobuf's rule for
// repeated fields, any concatenation of such encodings is itself a valid
// EventBatch. So a follower's batch is a list of shared, reference-counted
// slices: no copy and no serialization per follower.
#ifndef KITH_SERVER_ENCODED_EVENT_H_
#define KITH_SERVER_ENCODED_EVENT_H_

#include <grpcpp/support/slice.h>

#include "kith.pb.h"

namespace kith::server {

inline grpc::Slice EncodeForBatch(const v1::Event& event) {
  v1::EventBatch one;
  *one.add_events() = event;
  return grpc::Slice(one.SerializeAsString());
}

}  // namespace kith::server

#endif  // KITH_SERVER_ENCODED_EVENT_H_
