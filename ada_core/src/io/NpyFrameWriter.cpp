#include "ada/io/NpyFrameWriter.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <limits>

#include "ada/io/Npy.h"
#include "ada/io/SpecError.h"
#include "ada/io/StagedFile.h"

namespace ada {

namespace {
std::vector<int64_t> withFrames(int64_t frames, const std::vector<int64_t>& frameShape) {
    std::vector<int64_t> shape{frames};
    shape.insert(shape.end(), frameShape.begin(), frameShape.end());
    return shape;
}

int itemSize(const std::string& dtype) { return dtype == "<f4" ? 4 : 8; }

// The header block with room for the largest first dimension, so rewriting it never moves the data.
int64_t reservedHeaderSize(const std::string& dtype, const std::vector<int64_t>& frameShape) {
    return static_cast<int64_t>(npyHeaderBlock(dtype, withFrames(std::numeric_limits<int64_t>::max(), frameShape)).size());
}
}  // namespace

NpyFrameWriter::NpyFrameWriter(std::string path, std::vector<int64_t> frameShape, Mode mode, std::string dtype)
    : path_(std::move(path)), dtype_(std::move(dtype)), frameShape_(std::move(frameShape)) {
    const uint16_t one = 1;
    if (*reinterpret_cast<const unsigned char*>(&one) != 1)
        throw SpecError(path_ + ": writing NPY files is implemented for little-endian hosts only");
    if (dtype_ != "<f4" && dtype_ != "<f8")
        throw SpecError(path_ + ": cannot record frames of dtype '" + dtype_ + "' (expected '<f4' or '<f8')");
    for (int64_t s : frameShape_) {
        if (s < 0)
            throw SpecError(path_ + ": invalid frame shape " + shapeText(frameShape_));
        frameSize_ *= s;
    }
    std::error_code error;
    if (mode == Mode::Append && std::filesystem::exists(path_, error)) {
        openAppend();
        return;
    }
    StagedFile staged(path_);
    const std::string header = npyHeaderBlock(dtype_, withFrames(0, frameShape_), reservedHeaderSize(dtype_, frameShape_));
    staged.write(header.data(), header.size());
    dataOffset_ = static_cast<int64_t>(header.size());
    file_ = staged.commit(true);
}

void NpyFrameWriter::openAppend() {
    const NpyHeader header = readNpyHeader(path_);
    const std::vector<int64_t> tail(header.shape.begin() + (header.shape.empty() ? 0 : 1), header.shape.end());
    if (header.dtype != dtype_ || header.shape.empty() || tail != frameShape_)
        throw SpecError(path_ + ": cannot append frames of shape " + shapeText(frameShape_) + " (" + dtype_ + ") to the array of shape " +
                        shapeText(header.shape) + " (" + header.dtype + ") the file holds; choose another file or overwrite it");
    numFrames_ = header.shape[0];
    const int64_t dataBytes = numFrames_ * frameSize_ * itemSize(dtype_);
    const int64_t size = static_cast<int64_t>(std::filesystem::file_size(path_));
    if (size < header.dataOffset + dataBytes)
        throw SpecError(path_ + ": truncated NPY file (shape " + shapeText(header.shape) + " needs " + std::to_string(dataBytes) +
                        " bytes of data, the file holds " + std::to_string(size - header.dataOffset) + "); cannot append to it");
    const int64_t reserved = reservedHeaderSize(dtype_, frameShape_);
    // The existing block can be rewritten in place if the largest header fits it exactly (64-byte padding).
    const std::string largest = npyHeaderBlock(dtype_, withFrames(std::numeric_limits<int64_t>::max(), frameShape_), header.dataOffset);
    if (static_cast<int64_t>(largest.size()) == header.dataOffset) {
        // The header block has room for any frame count: cut off the bytes of a frame the header does not
        // count (an interrupted append), and continue the file itself.
        std::error_code error;
        std::filesystem::resize_file(path_, static_cast<uint64_t>(header.dataOffset + dataBytes), error);
        file_ = error ? nullptr : std::fopen(path_.c_str(), "r+b");
        if (file_ == nullptr)
            throw SpecError(path_ + ": cannot open the file for appending (" + (error ? error.message() : std::strerror(errno)) + ")");
        dataOffset_ = header.dataOffset;
        return;
    }
    // A header without room to grow (e.g. written by numpy.save): copy the array once into a file that has.
    StagedFile staged(path_);
    const std::string block = npyHeaderBlock(dtype_, withFrames(numFrames_, frameShape_), reserved);
    staged.write(block.data(), block.size());
    std::FILE* in = std::fopen(path_.c_str(), "rb");
    if (in == nullptr || std::fseek(in, static_cast<long>(header.dataOffset), SEEK_SET) != 0)
        throw SpecError(path_ + ": cannot read the file to append to it");
    std::vector<char> chunk(1 << 20);
    for (int64_t left = dataBytes; left > 0;) {
        const size_t n = static_cast<size_t>(std::min<int64_t>(left, static_cast<int64_t>(chunk.size())));
        if (std::fread(chunk.data(), 1, n, in) != n) {
            std::fclose(in);
            throw SpecError(path_ + ": read error while copying the existing frames");
        }
        staged.write(chunk.data(), n);
        left -= static_cast<int64_t>(n);
    }
    std::fclose(in);
    dataOffset_ = static_cast<int64_t>(block.size());
    file_ = staged.commit(true);
}

NpyFrameWriter::~NpyFrameWriter() {
    if (file_ != nullptr)
        std::fclose(file_);
}

void NpyFrameWriter::writeHeader() {
    const std::string block = npyHeaderBlock(dtype_, withFrames(numFrames_, frameShape_), dataOffset_);
    if (static_cast<int64_t>(block.size()) != dataOffset_ || std::fseek(file_, 0, SEEK_SET) != 0 ||
        std::fwrite(block.data(), 1, block.size(), file_) != block.size() || std::fflush(file_) != 0)
        throw SpecError(path_ + ": cannot update the NPY header (" + std::strerror(errno) + ")");
}

void NpyFrameWriter::append(const double* frame) {
    const size_t bytes = static_cast<size_t>(frameSize_) * itemSize(dtype_);
    buffer_.resize(bytes);
    if (dtype_ == "<f4") {
        for (int64_t i = 0; i < frameSize_; ++i) {
            const float v = static_cast<float>(frame[i]);
            std::memcpy(buffer_.data() + 4 * i, &v, 4);
        }
    } else {
        std::memcpy(buffer_.data(), frame, bytes);
    }
    const long end = static_cast<long>(dataOffset_ + numFrames_ * static_cast<int64_t>(bytes));
    if (std::fseek(file_, end, SEEK_SET) != 0 || std::fwrite(buffer_.data(), 1, bytes, file_) != bytes || std::fflush(file_) != 0)
        throw SpecError(path_ + ": cannot write frame " + std::to_string(numFrames_) + " (" + std::strerror(errno) + ")");
    ++numFrames_;
    writeHeader();
}

}  // namespace ada
