#include "fault_injection_fs.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace kith::testing {
namespace {

std::string ParentOf(const std::string& path) {
  return std::filesystem::path(path).parent_path().lexically_normal().string();
}

std::optional<std::string> ContentsOf(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::stringstream contents;
  contents << in.rdbuf();
  return contents.str();
}

}  // namespace

// A file open for writing: its writes and syncs are recorded, and refused
// once the power is cut.
class FaultInjectionFs::File final : public rocksdb::FSWritableFileOwnerWrapper {
 public:
  File(FaultInjectionFs* fs, std::string path, std::unique_ptr<rocksdb::FSWritableFile> target,
       uint64_t size)
      : FSWritableFileOwnerWrapper(std::move(target)), fs_(fs), path_(std::move(path)), size_(size) {}

  rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                           rocksdb::IODebugContext* dbg) override {
    return Write(size_ + data.size(), [&] { return target()->Append(data, options, dbg); },
                 /*append=*/true);
  }
  rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                           const rocksdb::DataVerificationInfo& info,
                           rocksdb::IODebugContext* dbg) override {
    return Write(size_ + data.size(),
                 [&] { return target()->Append(data, options, info, dbg); }, /*append=*/true);
  }
  rocksdb::IOStatus PositionedAppend(const rocksdb::Slice& data, uint64_t offset,
                                     const rocksdb::IOOptions& options,
                                     rocksdb::IODebugContext* dbg) override {
    return Write(std::max(size_, offset + data.size()),
                 [&] { return target()->PositionedAppend(data, offset, options, dbg); },
                 /*append=*/true);
  }
  rocksdb::IOStatus PositionedAppend(const rocksdb::Slice& data, uint64_t offset,
                                     const rocksdb::IOOptions& options,
                                     const rocksdb::DataVerificationInfo& info,
                                     rocksdb::IODebugContext* dbg) override {
    return Write(std::max(size_, offset + data.size()),
                 [&] { return target()->PositionedAppend(data, offset, options, info, dbg); },
                 /*append=*/true);
  }
  rocksdb::IOStatus Truncate(uint64_t size, const rocksdb::IOOptions& options,
                             rocksdb::IODebugContext* dbg) override {
    return Write(size, [&] { return target()->Truncate(size, options, dbg); });
  }
  rocksdb::IOStatus Flush(const rocksdb::IOOptions& options, rocksdb::IODebugContext* dbg) override {
    return Write(size_, [&] { return target()->Flush(options, dbg); });
  }
  rocksdb::IOStatus RangeSync(uint64_t offset, uint64_t nbytes, const rocksdb::IOOptions& options,
                              rocksdb::IODebugContext* dbg) override {
    // Starts write-back only; promises nothing.
    return Write(size_, [&] { return target()->RangeSync(offset, nbytes, options, dbg); });
  }
  rocksdb::IOStatus Sync(const rocksdb::IOOptions& options, rocksdb::IODebugContext* dbg) override {
    return SyncWith([&] { return target()->Sync(options, dbg); });
  }
  rocksdb::IOStatus Fsync(const rocksdb::IOOptions& options, rocksdb::IODebugContext* dbg) override {
    return SyncWith([&] { return target()->Fsync(options, dbg); });
  }

 private:
  // Runs `op`, which leaves the file `size` bytes long, unless writes fail.
  template <typename Op>
  rocksdb::IOStatus Write(uint64_t size, Op op, bool append = false) {
    return fs_->Guarded(op, [&] {
      size_ = size;
      fs_->Wrote(path_, size);
      if (append) fs_->Appended();
    });
  }
  template <typename Op>
  rocksdb::IOStatus SyncWith(Op op) {
    return fs_->Guarded(op, [&] { fs_->Synced(path_); });
  }

  FaultInjectionFs* const fs_;
  const std::string path_;
  uint64_t size_;
};

// A directory whose syncs make the names in it durable.
class FaultInjectionFs::Directory final : public rocksdb::FSDirectoryWrapper {
 public:
  Directory(FaultInjectionFs* fs, std::string path, std::unique_ptr<rocksdb::FSDirectory> target)
      : FSDirectoryWrapper(std::move(target)), fs_(fs), path_(std::move(path)) {}

  rocksdb::IOStatus Fsync(const rocksdb::IOOptions& options, rocksdb::IODebugContext* dbg) override {
    return SyncWith([&] { return FSDirectoryWrapper::Fsync(options, dbg); });
  }
  rocksdb::IOStatus FsyncWithDirOptions(const rocksdb::IOOptions& options,
                                        rocksdb::IODebugContext* dbg,
                                        const rocksdb::DirFsyncOptions& dir_options) override {
    return SyncWith(
        [&] { return FSDirectoryWrapper::FsyncWithDirOptions(options, dbg, dir_options); });
  }

 private:
  template <typename Op>
  rocksdb::IOStatus SyncWith(Op op) {
    return fs_->Guarded(op, [&] { fs_->DirectorySynced(path_); });
  }

  FaultInjectionFs* const fs_;
  const std::string path_;
};

FaultInjectionFs::FaultInjectionFs() : FileSystemWrapper(rocksdb::FileSystem::Default()) {}

void FaultInjectionFs::FailWrites(rocksdb::IOStatus error) {
  std::lock_guard<std::mutex> lock(mu_);
  write_error_ = std::move(error);
}

void FaultInjectionFs::Crash() {
  std::lock_guard<std::mutex> lock(mu_);
  crashed_ = true;
  crashed_cv_.notify_all();
}

void FaultInjectionFs::CrashAfterAppends(uint64_t n) {
  std::lock_guard<std::mutex> lock(mu_);
  appends_before_crash_ = n;
}

bool FaultInjectionFs::AwaitCrash(std::chrono::milliseconds patience) {
  std::unique_lock<std::mutex> lock(mu_);
  return crashed_cv_.wait_for(lock, patience, [this] { return crashed_; });
}

void FaultInjectionFs::Appended() {
  if (appends_before_crash_ == 0 || --appends_before_crash_ > 0) return;
  crashed_ = true;
  crashed_cv_.notify_all();
}

void FaultInjectionFs::Restore() {
  std::lock_guard<std::mutex> lock(mu_);
  crashed_ = false;
  appends_before_crash_ = 0;
  write_error_ = rocksdb::IOStatus::OK();
}

rocksdb::IOStatus FaultInjectionFs::WriteError() const {
  if (crashed_) return rocksdb::IOStatus::IOError("the power is off");
  return write_error_;
}

uint64_t FaultInjectionFs::LoseUnsyncedData(std::mt19937_64& rng) {
  std::lock_guard<std::mutex> lock(mu_);
  uint64_t lost = 0;
  for (const auto& [path, state] : files_) {
    if (state.name_pending) {
      // The directory never recorded this name: the file, or the rename
      // over an older one, is gone.
      lost += state.size;
      if (state.previous) {
        std::ofstream(path, std::ios::binary | std::ios::trunc) << *state.previous;
      } else {
        std::filesystem::remove(path);
      }
      continue;
    }
    if (state.size <= state.synced) continue;
    uint64_t keep = state.size;
    switch (std::uniform_int_distribution<int>(0, 2)(rng)) {
      case 0:  // written back before the cut after all
        break;
      case 1:  // lost whole
        keep = state.synced;
        break;
      default:  // torn at some byte
        keep = std::uniform_int_distribution<uint64_t>(state.synced, state.size - 1)(rng);
    }
    if (keep < state.size && ::truncate(path.c_str(), static_cast<off_t>(keep)) == 0) {
      lost += state.size - keep;
    }
  }
  files_.clear();  // what is on disk now is all durable
  return lost;
}

rocksdb::IOStatus FaultInjectionFs::Track(const std::string& path, rocksdb::IOStatus opened,
                                          std::unique_ptr<rocksdb::FSWritableFile>* result,
                                          bool fresh) {
  if (!opened.ok()) return opened;
  uint64_t size = 0;
  FileState& state = files_[path];
  if (fresh) {
    state = FileState{};
    state.name_pending = true;
  } else {
    std::error_code ec;
    size = std::filesystem::file_size(path, ec);
    state.size = state.synced = ec ? 0 : size;
  }
  *result = std::make_unique<File>(this, path, std::move(*result), size);
  return opened;
}

void FaultInjectionFs::Wrote(const std::string& path, uint64_t size) {
  FileState& state = files_[path];
  state.size = size;
  state.synced = std::min(state.synced, size);
}

void FaultInjectionFs::Synced(const std::string& path) {
  FileState& state = files_[path];
  state.synced = state.size;
}

void FaultInjectionFs::DirectorySynced(const std::string& dir) {
  const std::string parent = std::filesystem::path(dir).lexically_normal().string();
  for (auto& [path, state] : files_) {
    if (ParentOf(path) != parent) continue;
    state.name_pending = false;
    state.previous.reset();
  }
}

rocksdb::IOStatus FaultInjectionFs::NewWritableFile(const std::string& path,
                                                    const rocksdb::FileOptions& options,
                                                    std::unique_ptr<rocksdb::FSWritableFile>* result,
                                                    rocksdb::IODebugContext* dbg) {
  std::lock_guard<std::mutex> lock(mu_);
  if (auto error = WriteError(); !error.ok()) return error;
  const bool existed = std::filesystem::exists(path);
  auto s = Track(path, target()->NewWritableFile(path, options, result, dbg), result, true);
  // A file truncated in place keeps its name; only new names are at risk.
  if (s.ok() && existed) files_[path].name_pending = false;
  return s;
}

rocksdb::IOStatus FaultInjectionFs::ReopenWritableFile(
    const std::string& path, const rocksdb::FileOptions& options,
    std::unique_ptr<rocksdb::FSWritableFile>* result, rocksdb::IODebugContext* dbg) {
  std::lock_guard<std::mutex> lock(mu_);
  if (auto error = WriteError(); !error.ok()) return error;
  return Track(path, target()->ReopenWritableFile(path, options, result, dbg), result, false);
}

rocksdb::IOStatus FaultInjectionFs::ReuseWritableFile(const std::string&, const std::string&,
                                                      const rocksdb::FileOptions&,
                                                      std::unique_ptr<rocksdb::FSWritableFile>*,
                                                      rocksdb::IODebugContext*) {
  // Only for recycled logs, which the store does not turn on.
  return rocksdb::IOStatus::NotSupported("recycling files is not modelled");
}

rocksdb::IOStatus FaultInjectionFs::NewDirectory(const std::string& path,
                                                 const rocksdb::IOOptions& options,
                                                 std::unique_ptr<rocksdb::FSDirectory>* result,
                                                 rocksdb::IODebugContext* dbg) {
  std::unique_ptr<rocksdb::FSDirectory> directory;
  auto s = target()->NewDirectory(path, options, &directory, dbg);
  if (s.ok()) *result = std::make_unique<Directory>(this, path, std::move(directory));
  return s;
}

rocksdb::IOStatus FaultInjectionFs::RenameFile(const std::string& from, const std::string& to,
                                               const rocksdb::IOOptions& options,
                                               rocksdb::IODebugContext* dbg) {
  std::lock_guard<std::mutex> lock(mu_);
  if (auto error = WriteError(); !error.ok()) return error;
  // What the name held durably, if this rename does not last.
  std::optional<std::string> previous;
  auto held = files_.find(to);
  if (held != files_.end() && held->second.name_pending) {
    previous = held->second.previous;
  } else {
    previous = ContentsOf(to);
  }
  auto s = target()->RenameFile(from, to, options, dbg);
  if (!s.ok()) return s;
  FileState state;
  if (auto it = files_.find(from); it != files_.end()) {
    state = it->second;
    files_.erase(it);
  } else {
    std::error_code ec;
    state.size = state.synced = std::filesystem::file_size(to, ec);
  }
  state.name_pending = true;
  state.previous = std::move(previous);
  files_[to] = std::move(state);
  return s;
}

rocksdb::IOStatus FaultInjectionFs::LinkFile(const std::string& from, const std::string& to,
                                             const rocksdb::IOOptions& options,
                                             rocksdb::IODebugContext* dbg) {
  std::lock_guard<std::mutex> lock(mu_);
  if (auto error = WriteError(); !error.ok()) return error;
  auto s = target()->LinkFile(from, to, options, dbg);
  if (s.ok()) {
    std::error_code ec;
    FileState& state = files_[to];
    state.size = state.synced = std::filesystem::file_size(to, ec);
    state.name_pending = true;
  }
  return s;
}

rocksdb::IOStatus FaultInjectionFs::DeleteFile(const std::string& path,
                                               const rocksdb::IOOptions& options,
                                               rocksdb::IODebugContext* dbg) {
  std::lock_guard<std::mutex> lock(mu_);
  // A full disk still lets files go; a machine without power does not.
  if (crashed_) return rocksdb::IOStatus::IOError("the power is off");
  auto s = target()->DeleteFile(path, options, dbg);
  if (s.ok()) files_.erase(path);
  return s;
}

}  // namespace kith::testing
