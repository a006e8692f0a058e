"""Lesson videos: what an upload is (probed with PyAV, never trusted by its name or type) and
the short videos the demo and the tests make.

A lesson's video is played by the browser's own HTML5 player from storage, so only containers
and codecs every current browser plays are taken: WebM (VP8, VP9, AV1) and MP4/QuickTime (H.264,
AV1). Anything else, a file PyAV cannot open, or one with no video stream, is refused with a
clear message rather than stored to fail later in a learner's browser.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import IO

import av
from PIL import Image, ImageDraw

MAX_VIDEO_BYTES = 2 * 1024 * 1024 * 1024  # 2 GiB: a long lecture at a good bitrate
MAX_VIDEO_SECONDS = 6 * 60 * 60
# PyAV's format names for a container, and the codecs browsers play inside it.
PLAYABLE = {
    "matroska,webm": ("webm", frozenset({"vp8", "vp9", "av1"})),
    "mov,mp4,m4a,3gp,3g2,mj2": ("mp4", frozenset({"h264", "av1"})),
}


class NotAVideo(ValueError):
    """The upload is not a video a browser plays; the message says why, for the uploader."""


@dataclass(frozen=True)
class VideoInfo:
    extension: str
    codec: str
    width: int
    height: int
    seconds: float


def probe(file: IO[bytes]) -> VideoInfo:
    """Open ``file`` as a media container and describe its first video stream, or raise NotAVideo."""
    file.seek(0)
    try:
        with av.open(file, mode="r") as container:
            kind = PLAYABLE.get(container.format.name)
            if kind is None:
                raise NotAVideo("Upload a WebM or MP4 video.")
            if not container.streams.video:
                raise NotAVideo("This file has no video in it.")
            stream = container.streams.video[0]
            codec = stream.codec_context.name
            if codec not in kind[1]:
                raise NotAVideo(f"Browsers cannot play {codec} video: use H.264 in MP4, or VP9 in WebM.")
            seconds = (container.duration or 0) / av.time_base
            return VideoInfo(kind[0], codec, stream.codec_context.width, stream.codec_context.height, seconds)
    except av.error.FFmpegError:
        raise NotAVideo("This file is not a video we can read.") from None
    finally:
        file.seek(0)


def demo_video(*, title: str, seconds: int = 8, colour: tuple[int, int, int] = (40, 90, 160)) -> bytes:
    """A short WebM (VP8) with the title and a running clock on a coloured ground: real media for
    the demo's and the tests' video lessons, made here rather than shipped."""
    rate = 10
    buffer = io.BytesIO()
    with av.open(buffer, mode="w", format="webm") as container:
        stream = container.add_stream("libvpx", rate=rate)
        stream.width, stream.height, stream.pix_fmt = 320, 180, "yuv420p"
        stream.bit_rate = 150_000
        for frame_number in range(seconds * rate):
            image = Image.new("RGB", (320, 180), colour)
            draw = ImageDraw.Draw(image)
            draw.text((16, 70), title[:40], fill=(255, 255, 255))
            draw.text((16, 96), f"{frame_number / rate:4.1f} s", fill=(255, 255, 255))
            # the bar grows so a viewer sees time pass
            draw.rectangle((16, 150, 16 + int(288 * frame_number / (seconds * rate)), 156), fill=(255, 255, 255))
            for packet in stream.encode(av.VideoFrame.from_image(image)):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return buffer.getvalue()
