"""OpenGJJ: an open platform for the employer online service halls of housing fund centres."""
from setuptools import find_packages, setup

PACKAGES = ("core", "plugins", "cities", "hardware", "themes")

setup(
    name="opengjj",
    version="0.1.0",
    description="Employer online service hall (单位网厅) platform for housing provident fund centres",
    long_description=open("README.md", encoding="utf-8").read(),
    long_description_content_type="text/markdown",
    license="Apache-2.0",
    python_requires=">=3.11",
    packages=find_packages(include=[p for name in PACKAGES for p in (name, f"{name}.*")]),
    include_package_data=True,
    package_data={
        "core": ["web/templates/**/*.pt", "web/static/**/*", "sms/templates/*.pt", "db/migrations/*.py",
                 "db/migrations/*.mako", "db/migrations/versions/*.py"],
        "plugins": ["templates/*.pt"],
        "themes": ["*/templates/**/*.pt", "*/static/**/*"],
    },
    zip_safe=False,
    install_requires=[
        "pyramid>=2.0",
        "pyramid_tm>=2.5",
        "zope.sqlalchemy>=3.1",
        "transaction>=4",
        "SQLAlchemy>=2.0",
        "alembic>=1.13",
        "psycopg[binary]>=3.1",
        "pluggy>=1.5",
        "colander>=2.0",
        "deform>=2.0.15",
        "pyramid_chameleon>=0.3",
        "openpyxl>=3.1",
        "reportlab>=4.0",
        "rq>=2.0",
        "redis>=5.0",
        # rq's synchronous queue still needs a Redis-like store: the embedded
        # default runs jobs inline on fakeredis, so `make run` needs no server.
        "fakeredis>=2.20",
        "python-stdnum>=1.20",
        "argon2-cffi>=23.1",
        # the WSGI server pserve starts (development.ini, production.ini)
        "waitress>=3.0",
        # login: UKey signatures (SM2/SM3 and ECDSA P-256), provincial OpenID Connect tokens
        "gmssl>=3.2",
        "cryptography>=42",
        "PyJWT>=2.8",
    ],
    extras_require={
        # the local device agent on the employer's PC: the UKey through PC/SC
        "hardware": ["pyscard>=2.0"],
        # the agent's document camera (高拍仪) where the browser cannot reach it
        "camera": ["opencv-python-headless>=4.8"],
        # the tests drive the real PC/SC stack and a real headless Chromium
        "test": ["pytest>=8", "webtest>=3.0", "hypothesis>=6.100", "pyscard>=2.0", "selenium>=4.20",
                 # Debian's vsmartcard virtual card imports it as Crypto
                 "pycryptodome>=3.20"],
    },
    entry_points={
        "paste.app_factory": ["main = core.app:main"],
        "console_scripts": ["gjj = core.cli:main", "gjj-agent = hardware.agent:main"],
        # The bundled plugins are found exactly as a third-party package's are.
        "opengjj": [
            "jincheng = cities.jincheng",
            "shaoguan = cities.shaoguan",
            "kaifeng = cities.kaifeng",
            "shaanxi = cities.shaanxi",
            "password_login = plugins.password_login",
            "sms_login = plugins.sms_login",
            "ukey_login = plugins.ukey_login",
            "provincial_login = plugins.provincial_login",
        ],
    },
)
