#include "ada/io/StagedFile.h"

#include <atomic>
#include <cerrno>
#include <cstring>

#include <unistd.h>

#include "ada/io/SpecError.h"

namespace ada {

namespace {
std::atomic<unsigned> stagedCount{0};

std::string reason() { return std::strerror(errno); }
}  // namespace

StagedFile::StagedFile(std::string path) : path_(std::move(path)) {
    temporary_ = path_ + ".tmp-" + std::to_string(static_cast<long>(::getpid())) + "-" + std::to_string(stagedCount++);
    file_ = std::fopen(temporary_.c_str(), "wb");
    if (file_ == nullptr)
        throw SpecError(path_ + ": cannot create the file (" + reason() + "; is the directory missing or not writable?)");
}

StagedFile::~StagedFile() {
    if (file_ != nullptr) {
        std::fclose(file_);
        std::remove(temporary_.c_str());
    }
}

void StagedFile::write(const void* data, size_t bytes) {
    if (bytes > 0 && std::fwrite(data, 1, bytes, file_) != bytes)
        throw SpecError(path_ + ": write failed (" + reason() + ")");
}

std::FILE* StagedFile::commit(bool keepOpen) {
    if (std::fflush(file_) != 0)
        throw SpecError(path_ + ": write failed (" + reason() + ")");
    if (std::rename(temporary_.c_str(), path_.c_str()) != 0)
        throw SpecError(path_ + ": cannot move the written file into place (" + reason() + ")");
    std::FILE* file = file_;
    file_ = nullptr;
    if (keepOpen)
        return file;
    if (std::fclose(file) != 0)
        throw SpecError(path_ + ": write failed when closing (" + reason() + ")");
    return nullptr;
}

}  // namespace ada
