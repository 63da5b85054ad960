"""Input images (scikit-image's bundled photographs or a user's folder) and preprocessing.

Only photographs shipped inside the scikit-image wheel are used by default: names that
scikit-image fetches at run time with pooch would fail offline.
"""

from __future__ import annotations

import hashlib
import importlib.resources
import io
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from accelbench.errors import AccelbenchError

#: the default image set: 12 photographs bundled in the scikit-image wheel (colour first)
DEFAULT_IMAGES = ("chelsea", "coffee", "astronaut", "rocket", "motorcycle_left",
                  "motorcycle_right", "hubble_deep_field", "retina", "ihc", "camera",
                  "coins", "moon")
#: every photograph in the wheel (greyscale ones are replicated to three channels)
BUNDLED_PHOTOS = {
    "astronaut": "astronaut.png", "brick": "brick.png", "camera": "camera.png",
    "cell": "cell.png", "chelsea": "chelsea.png", "clock_motion": "clock_motion.png",
    "coffee": "coffee.png", "coins": "coins.png", "grass": "grass.png",
    "gravel": "gravel.png", "hubble_deep_field": "hubble_deep_field.jpg", "ihc": "ihc.png",
    "moon": "moon.png", "motorcycle_left": "motorcycle_left.png",
    "motorcycle_right": "motorcycle_right.png", "page": "page.png", "retina": "retina.jpg",
    "rocket": "rocket.jpg", "text": "text.png",
}
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff", ".webp", ".ppm", ".gif")
#: at most this many images per dataset (option ``limit``; twice ImageNet's validation set)
MAX_IMAGES = 100_000
#: the largest image decoded (8192 x 8192): bounds the memory one image can take
MAX_IMAGE_PIXELS = 1 << 26


class ImageError(AccelbenchError):
    """An image folder or file cannot be used."""


@dataclass(frozen=True)
class ImageRef:
    """One input image: a stable id and the bytes it is decoded from."""

    id: str
    path: Path

    def read_bytes(self) -> bytes:
        try:
            return self.path.read_bytes()
        except OSError as exc:
            raise ImageError(f"cannot read image {self.path}: {exc.strerror}") from None

    def sha256(self) -> str:
        return hashlib.sha256(self.read_bytes()).hexdigest()

    def open_rgb(self) -> Any:
        """The image as an RGB ``PIL.Image``."""
        from PIL import Image, UnidentifiedImageError

        try:
            img = Image.open(io.BytesIO(self.read_bytes()))
            width, height = img.size
            if width * height > MAX_IMAGE_PIXELS:
                raise ImageError(f"image {self.path} has {width} x {height} pixels, more "
                                 f"than accelbench decodes ({MAX_IMAGE_PIXELS:,}); "
                                 "scale it down first")
            img.load()
        except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError
                ) as exc:
            raise ImageError(f"cannot decode image {self.path}: {exc}") from None
        return img.convert("RGB")


def bundled_images(names: Sequence[str] = DEFAULT_IMAGES) -> list[ImageRef]:
    """scikit-image's bundled photographs, by name."""
    folder = importlib.resources.files("skimage.data")
    refs = []
    for name in names:
        if name not in BUNDLED_PHOTOS:
            raise ImageError(f"{name!r} is not a photograph bundled with scikit-image; "
                             f"known: {', '.join(sorted(BUNDLED_PHOTOS))}")
        path = Path(str(folder.joinpath(BUNDLED_PHOTOS[name])))
        if not path.is_file():
            raise ImageError(f"scikit-image's bundled image {path} is missing; reinstall "
                             "scikit-image")
        refs.append(ImageRef(name, path))
    return refs


def folder_images(folder: str | Path, limit: int | None = None) -> list[ImageRef]:
    """The image files in ``folder`` (not recursive), sorted by name, at most ``limit``."""
    root = Path(folder).expanduser()
    if not root.is_dir():
        raise ImageError(f"image folder {root} does not exist or is not a directory")
    files = sorted(p for p in root.iterdir()
                   if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES)
    if not files:
        raise ImageError(f"image folder {root} holds no image files "
                         f"({', '.join(IMAGE_SUFFIXES)})")
    if limit is not None:
        files = files[:limit]
    elif len(files) > MAX_IMAGES:
        raise ImageError(f"image folder {root} holds {len(files):,} images, more than one "
                         f"dataset takes ({MAX_IMAGES:,}): set the option limit")
    return [ImageRef(p.name, p) for p in files]


def resolve_images(spec: str | Path | Sequence[str | Path] | None,
                   limit: int | None = None) -> list[ImageRef]:
    """Images from a spec: None/"bundled" (the default 12), "bundled-all", a folder, or a
    list of bundled names and file paths."""
    if spec is None or spec == "bundled":
        refs = bundled_images()
    elif spec == "bundled-all":
        refs = bundled_images(sorted(BUNDLED_PHOTOS))
    elif isinstance(spec, (str, Path)):
        return folder_images(spec, limit)
    else:
        refs = []
        for item in spec:
            if isinstance(item, str) and item in BUNDLED_PHOTOS:
                refs.extend(bundled_images([item]))
            else:
                path = Path(item).expanduser()
                if not path.is_file():
                    raise ImageError(f"image {path} does not exist")
                refs.append(ImageRef(path.name, path))
    if not refs:
        raise ImageError("no images selected")
    return refs[:limit] if limit is not None else refs


@dataclass(frozen=True)
class Preprocessing:
    """Image -> network input. Colour values are in 0..255 units, in RGB order.

    ``mode="crop"``: centre crop ``crop_fraction`` of the short side, resize to size x size.
    ``mode="squash"``: resize the whole image to (size/crop_fraction)^2 ignoring the aspect
    ratio, then take the centre size x size (Caffe-style).
    """

    size: int = 224
    crop_fraction: float = 0.875
    mode: str = "crop"
    resample: str = "bicubic"
    mean: tuple[float, float, float] = (127.0, 127.0, 127.0)
    std: tuple[float, float, float] = (128.0, 128.0, 128.0)
    bgr: bool = False
    layout: str = "NCHW"
    jpeg_roundtrip: bool = False

    def describe(self) -> dict[str, Any]:
        return asdict(self)

    def with_(self, **changes: Any) -> Preprocessing:
        return replace(self, **changes)

    def __call__(self, image: ImageRef) -> np.ndarray:
        """One image as a float32 network input without the batch dimension."""
        from PIL import Image

        if self.size < 8 or not 0.1 <= self.crop_fraction <= 1.0:
            raise ImageError(f"bad preprocessing size {self.size} / crop fraction "
                             f"{self.crop_fraction}")
        resample = {"bicubic": Image.Resampling.BICUBIC,
                    "bilinear": Image.Resampling.BILINEAR}[self.resample]
        img = image.open_rgb()
        w, h = img.size
        if self.mode == "crop":
            side = int(self.crop_fraction * min(w, h))
            left, top = (w - side + 1) // 2, (h - side + 1) // 2
            img = img.crop((left, top, left + side, top + side))
            img = img.resize((self.size, self.size), resample=resample)
        elif self.mode == "squash":
            full = round(self.size / self.crop_fraction)
            img = img.resize((full, full), resample=resample)
            off = (full - self.size) // 2
            img = img.crop((off, off, off + self.size, off + self.size))
        else:
            raise ImageError(f"unknown preprocessing mode {self.mode!r}")
        if self.jpeg_roundtrip:  # some reference pipelines decode a re-encoded JPEG
            buf = io.BytesIO()
            img.save(buf, format="JPEG")
            img = Image.open(io.BytesIO(buf.getvalue()))
        x = (np.asarray(img, dtype=np.float32) - np.float32(self.mean)) / np.float32(self.std)
        if self.bgr:
            x = x[:, :, ::-1]
        if self.layout == "NCHW":
            x = x.transpose(2, 0, 1)
        elif self.layout != "NHWC":
            raise ImageError(f"unknown input layout {self.layout!r}")
        return np.ascontiguousarray(x, dtype=np.float32)


#: named preprocessing recipes for ``onnx:`` models (mean/std in RGB order, 0..255 units)
PRESETS: dict[str, Preprocessing] = {
    # TF EfficientNet(-Lite): crop 224/256 of the short side, bicubic, (x - 127) / 128
    "efficientnet": Preprocessing(),
    # torchvision / ONNX Model Zoo classifiers: ImageNet mean and std
    "imagenet": Preprocessing(resample="bilinear", mean=(123.675, 116.28, 103.53),
                              std=(58.395, 57.12, 57.375)),
    # Caffe models (AlexNet/VGG from BVLC): BGR, mean subtraction only
    "caffe": Preprocessing(resample="bilinear", mean=(123.0, 117.0, 104.0),
                           std=(1.0, 1.0, 1.0), bgr=True),
    # Inception / MobileNet (TF slim): (x - 127.5) / 127.5
    "inception": Preprocessing(resample="bilinear", mean=(127.5, 127.5, 127.5),
                               std=(127.5, 127.5, 127.5)),
    # Yahoo open_nsfw: 256x256 squash, centre 224, JPEG round trip, BGR mean subtraction
    "open-nsfw": Preprocessing(mode="squash", resample="bilinear", crop_fraction=0.875,
                               mean=(123.0, 117.0, 104.0), std=(1.0, 1.0, 1.0), bgr=True,
                               layout="NHWC", jpeg_roundtrip=True),
}


def preset(name: str) -> Preprocessing:
    try:
        return PRESETS[name]
    except KeyError:
        raise ImageError(f"unknown preprocessing preset {name!r}; known: "
                         f"{', '.join(PRESETS)}") from None
