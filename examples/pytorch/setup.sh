#!/bin/sh
# Installs what the PyTorch example needs for /usr/bin/python3: Debian's python3-torch (and numpy),
# only when torch is missing. Needs root (apt-get).
set -eu
if /usr/bin/python3 -c 'import torch' 2>/dev/null; then
  echo "torch $(/usr/bin/python3 -c 'import torch; print(torch.__version__)') is installed"
  exit 0
fi
apt-get -o DPkg::Lock::Timeout=600 update
DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y python3-torch python3-numpy
/usr/bin/python3 -c 'import torch; print("torch", torch.__version__, "installed")'
