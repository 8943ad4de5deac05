#!/bin/sh
# Make Fashion-MNIST available offline where Debian's dataset-fashion-mnist package
# can be installed. Never fails: without it, torchvision downloads the data into
# data/ the first time a notebook asks for it.
system_dir=/usr/share/datasets/fashion-mnist
if [ -n "${D2L_FASHION_MNIST:-}" ] || [ -f "$system_dir/train-images-idx3-ubyte.gz" ] \
   || ls data/FashionMNIST/raw/train-images-idx3-ubyte* >/dev/null 2>&1; then
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "note: no apt-get here; Fashion-MNIST will be downloaded by torchvision into data/ on first use."
  exit 0
fi
if [ "$(id -u)" = 0 ]; then
  sudo=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  sudo="sudo -n"
else
  echo "note: to keep Fashion-MNIST offline, run 'sudo apt-get install dataset-fashion-mnist';"
  echo "      otherwise torchvision downloads it into data/ on first use."
  exit 0
fi
echo "Installing Debian's dataset-fashion-mnist (Fashion-MNIST for offline use) ..."
$sudo apt-get install -y -qq dataset-fashion-mnist >/dev/null 2>&1 \
  || { $sudo apt-get update -qq >/dev/null 2>&1 && $sudo apt-get install -y -qq dataset-fashion-mnist >/dev/null 2>&1; } \
  || echo "note: could not install dataset-fashion-mnist; torchvision will download Fashion-MNIST into data/ on first use."
exit 0
