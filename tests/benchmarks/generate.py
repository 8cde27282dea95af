"""Build a realistic database of N providers for the benchmarks.

    python tests/benchmarks/generate.py OUT.sqlite3 [N]

Vocabularies and the two sample municipalities come from the program itself;
the providers are bulk-inserted (the per-record service path with history would
take minutes at 50,000) with the same search text the service computes.
"""

from __future__ import annotations

import datetime as dt
import random
import sys
import uuid
from pathlib import Path

from sqlalchemy import text

from zaitaku_desktop.domain.resource import KeyPerson, resource_search_text
from zaitaku_desktop.models import utcnow
from zaitaku_desktop.services import open_services

SURNAMES = "佐藤 鈴木 高橋 田中 伊藤 渡辺 山本 中村 小林 加藤 吉田 山田 佐々木 山口 松本 井上 木村 林 斎藤 清水 菊池 小野寺 千葉 及川 菅原".split()
GIVEN = "典子 正樹 美紀 健一 由美 誠 明美 大輔 恵子 翔太 陽子 浩二 直美 和也 幸子".split()
WORDS = [("はまなす", "はまなす"), ("しおかぜ", "しおかぜ"), ("みどり", "みどり"), ("あおば", "あおば"),
         ("さくら", "さくら"), ("ひまわり", "ひまわり"), ("こすもす", "こすもす"), ("つばき", "つばき"),
         ("かもめ", "かもめ"), ("やまゆり", "やまゆり"), ("港町", "みなとまち"), ("中央", "ちゅうおう"),
         ("緑ヶ丘", "みどりがおか"), ("東", "ひがし"), ("西", "にし"), ("山手", "やまて"), ("浜", "はま")]
KIND = {"病院": ("病院", "びょういん"), "医科診療所": ("クリニック", "くりにっく"), "歯科診療所": ("歯科医院", "しかいいん"),
        "保険調剤薬局": ("薬局", "やっきょく"), "訪問看護ステーション": ("訪問看護ステーション", "ほうもんかんごすてーしょん"),
        "地域包括支援センター": ("地域包括支援センター", "ちいきほうかつしえんせんたー"),
        "居宅介護支援事業所": ("ケアプランセンター", "けあぷらんせんたー"),
        "訪問介護事業所": ("ヘルパーステーション", "へるぱーすてーしょん"), "通所介護事業所": ("デイサービス", "でいさーびす"),
        "特別養護老人ホーム": ("荘", "そう"), "グループホーム": ("グループホーム", "ぐるーぷほーむ")}


def generate(path: Path, n: int, seed: int = 7) -> Path:
    rnd = random.Random(seed)
    if path.exists():
        path.unlink()
    services = open_services(path, user="bench")
    services.vocab.ensure_municipality("032115", "釜石市", "かまいしし", [("釜石", "かまいし"), ("平田", "へいた"), ("中妻", "なかづま"), ("小佐野", "こさの"), ("甲子", "かっし"), ("鵜住居", "うのすまい"), ("栗橋", "くりはし"), ("唐丹", "とうに")])
    services.vocab.ensure_municipality("034614", "大槌町", "おおつちちょう", [("大槌", "おおつち"), ("小鎚", "こづち"), ("吉里吉里", "きりきり")])
    vocab = services.vocab.all()
    cats = {c.name: c.id for c in vocab["category"]}
    muns = vocab["municipality"]
    districts = vocab["district"]
    caps = [c.id for c in vocab["capability"]]
    procs = [p.id for p in vocab["procedure"]]
    now = utcnow()
    resources, links, marks, persons = [], [], [], []
    for i in range(n):
        cat_name = rnd.choice(list(KIND))
        suffix, suffix_r = KIND[cat_name]
        w1, w2 = rnd.sample(WORDS, 2)
        name = f"{w1[0]}{w2[0]}{suffix}{i}"
        reading = f"{w1[1]}{w2[1]}{suffix_r}"
        mun = rnd.choice(muns)
        dist = rnd.choice([d for d in districts if d.parent_id == mun.id])
        phone = f"0193-{rnd.randint(20, 49)}-{rnd.randint(0, 9999):04d}"
        fax = f"0193-{rnd.randint(20, 49)}-{rnd.randint(0, 9999):04d}"
        address = f"岩手県{mun.name}{dist.name}町{rnd.randint(1, 40)}丁目{rnd.randint(1, 30)}-{rnd.randint(1, 20)}"
        kp = [KeyPerson(f"{rnd.choice(SURNAMES)} {rnd.choice(GIVEN)}", rnd.choice(["管理者", "院長", "MSW", "ケアマネジャー"]),
                        f"0193-{rnd.randint(20, 49)}-{rnd.randint(0, 9999):04d}") for _ in range(rnd.randint(0, 3))]
        rid = str(uuid.uuid4())
        confirmed = dt.date(2026, 11, 1) - dt.timedelta(days=rnd.randint(0, 900))
        search = resource_search_text(name=name, reading=reading, address=address, phone=phone, fax=fax,
                                      district=dist.name, key_persons=kp)
        resources.append(dict(
            id=rid, created_at=now, updated_at=now, name=name, reading=reading, category_id=cats[cat_name],
            municipality_id=mun.id, district_id=dist.id, postal_code=f"026-{rnd.randint(0, 999):04d}",
            address=address, phone=phone, fax=fax, email=f"info{i}@example.jp", url="", lat=39.27, lon=141.88,
            opening_hours="月〜金 9:00〜17:00", visit_area="", notes="", last_confirmed=confirmed,
            confirmed_source="電話確認", external_source="", external_id="", is_sample=False, search_text=search,
            version=1))
        for cid in rnd.sample(caps, rnd.randint(0, 5)):
            links.append(dict(resource_id=rid, capability_id=cid))
        for pid in rnd.sample(procs, rnd.randint(0, 6)):
            marks.append(dict(resource_id=rid, procedure_id=pid, mark=rnd.choice("○△×")))
        for order, p in enumerate(kp):
            persons.append(dict(id=str(uuid.uuid4()), resource_id=rid, name=p.name, role=p.role, phone=p.phone,
                                sort_order=order))
    with services.db.engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO resource (id, created_at, updated_at, name, reading, category_id, municipality_id, district_id,"
            " postal_code, address, phone, fax, email, url, lat, lon, opening_hours, visit_area, notes, last_confirmed,"
            " confirmed_source, external_source, external_id, is_sample, search_text, version) VALUES (:id, :created_at,"
            " :updated_at, :name, :reading, :category_id, :municipality_id, :district_id, :postal_code, :address, :phone,"
            " :fax, :email, :url, :lat, :lon, :opening_hours, :visit_area, :notes, :last_confirmed, :confirmed_source,"
            " :external_source, :external_id, :is_sample, :search_text, :version)"), resources)
        conn.execute(text("INSERT INTO resource_capability VALUES (:resource_id, :capability_id)"), links)
        conn.execute(text("INSERT INTO resource_procedure VALUES (:resource_id, :procedure_id, :mark)"), marks)
        conn.execute(text("INSERT INTO key_person (id, resource_id, name, role, phone, sort_order) VALUES"
                          " (:id, :resource_id, :name, :role, :phone, :sort_order)"), persons)
    services.close()
    return path


if __name__ == "__main__":
    out = Path(sys.argv[1])
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 50_000
    generate(out, count)
    print(f"wrote {count:,} providers to {out}")
