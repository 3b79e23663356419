"""repogen: one model of an NVIDIA driver + CUDA release, published as APT, dnf and zypper
repositories, with a resolver that checks what installing it selects."""

__version__ = "0.1.0"
