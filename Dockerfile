# Neural Playground, one server process per container. CPU by default; for CUDA build with
#   docker build --build-arg TORCH_INDEX=https://download.pytorch.org/whl/cu128 -t neural-playground:cuda .
# and run with `--gpus all`: torch's CUDA wheels carry their own CUDA libraries, the host needs only the driver.
# docs/deploy.md covers replicas, health checks, limits and cache volumes.
FROM python:3.11-slim

# Where pip finds torch and torchvision: PyTorch's CPU-only index keeps the image free of CUDA libraries.
ARG TORCH_INDEX=https://download.pytorch.org/whl/cpu

ENV PYTHONDONTWRITEBYTECODE=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    TORCH_HOME=/cache/torch \
    HF_HOME=/cache/huggingface \
    NUMBA_CACHE_DIR=/cache/numba \
    NEURAL_PLAYGROUND_DATA=/cache/torchvision \
    NEURAL_PLAYGROUND_THREADS=1 \
    STREAMLIT_SERVER_PORT=8501 \
    STREAMLIT_SERVER_ADDRESS=0.0.0.0

WORKDIR /app
COPY requirements.txt requirements-nodeps.txt ./
RUN pip install --extra-index-url "$TORCH_INDEX" -r requirements.txt \
 && pip install --no-deps -r requirements-nodeps.txt

COPY app.py serve.py ./
COPY .streamlit .streamlit
COPY core core
COPY ui ui
COPY pages pages

RUN useradd --create-home --uid 1000 app && mkdir -p /cache && chown app /cache
USER app
# Downloaded weights (torchvision, Hugging Face), torchvision datasets and numba's compiled kernels; mount a
# volume to keep them.
VOLUME /cache
EXPOSE 8501
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s \
  CMD python -c "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ['STREAMLIT_SERVER_PORT'] + '/_stcore/health', timeout=4)"
CMD ["python", "-m", "serve", "run", "app.py"]
