<?xml version="1.0" encoding="UTF-8"?>
<!--
  unit.xsl: one unit: its metadata and place in the tree, its age and the
  dates of its life (archived, end of current use, end of DUA and what
  follows), its rules as declared, its holds (its own and its
  ancestors'), its objects to download, its history from the journal and
  its proof bundle to download; or, for a unit that left, its tombstone
  (answered 410).
-->
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
  <xsl:import href="layout.xsl"/>

  <xsl:template match="unit-page" mode="title">
    <xsl:choose>
      <xsl:when test="tombstone">Unité sortie de l'archive</xsl:when>
      <xsl:otherwise>Unité « <xsl:value-of select="unit/title"/> »</xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!-- "2031-02-01" as a number, to compare with today. -->
  <xsl:template name="day">
    <xsl:param name="d"/>
    <xsl:value-of select="number(translate(substring($d, 1, 10), '-', ''))"/>
  </xsl:template>

  <xsl:template name="final">
    <xsl:param name="f"/>
    <xsl:choose>
      <xsl:when test="$f = 'Destroy'">élimination</xsl:when>
      <xsl:when test="$f = 'Keep'">conservation définitive</xsl:when>
      <xsl:when test="$f = 'Sort'">tri par l'archiviste</xsl:when>
      <xsl:otherwise><xsl:value-of select="$f"/></xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <xsl:template name="category">
    <xsl:param name="c"/>
    <xsl:choose>
      <xsl:when test="$c = 'StorageRule'">Durée d'utilité courante</xsl:when>
      <xsl:when test="$c = 'AppraisalRule'">Durée d'utilité administrative (sort final)</xsl:when>
      <xsl:when test="$c = 'AccessRule'">Communicabilité</xsl:when>
      <xsl:when test="$c = 'DisseminationRule'">Diffusion</xsl:when>
      <xsl:when test="$c = 'ReuseRule'">Réutilisation</xsl:when>
      <xsl:when test="$c = 'ClassificationRule'">Classification</xsl:when>
      <xsl:when test="$c = 'HoldRule'">Gel (déclaré dans le versement)</xsl:when>
      <xsl:otherwise><xsl:value-of select="$c"/></xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!-- One date of the unit's life, past or to come. -->
  <xsl:template name="step">
    <xsl:param name="id"/>
    <xsl:param name="what"/>
    <xsl:param name="d"/>
    <xsl:param name="then"/>
    <xsl:variable name="n"><xsl:call-template name="day"><xsl:with-param name="d" select="$d"/></xsl:call-template></xsl:variable>
    <xsl:variable name="t"><xsl:call-template name="day"><xsl:with-param name="d" select="/*/@today"/></xsl:call-template></xsl:variable>
    <li id="{$id}">
      <xsl:attribute name="class"><xsl:choose><xsl:when test="number($n) &lt;= number($t)">past</xsl:when><xsl:otherwise>future</xsl:otherwise></xsl:choose></xsl:attribute>
      <strong><xsl:value-of select="$d"/></strong> — <xsl:value-of select="$what"/>
      <xsl:choose><xsl:when test="number($n) &lt;= number($t)"> (passé)</xsl:when><xsl:otherwise> (à venir)</xsl:otherwise></xsl:choose>
      <xsl:if test="$then"><br/><xsl:value-of select="$then"/></xsl:if>
    </li>
  </xsl:template>

  <xsl:template match="unit-page[tombstone]" mode="main">
    <xsl:variable name="t" select="tombstone"/>
    <div class="warning" role="alert" id="gone">
      <p><xsl:choose>
        <xsl:when test="$t/state = 'transferred'">Cette unité a été transférée à une autre archive</xsl:when>
        <xsl:otherwise>Cette unité a été éliminée</xsl:otherwise>
      </xsl:choose> le <strong><xsl:value-of select="$t/destroyed"/></strong> : ses objets ne sont plus conservés.
        Il n'en reste que cette notice.</p>
    </div>
    <dl class="summary">
      <dt>Titre</dt><dd id="title"><xsl:value-of select="$t/title"/></dd>
      <dt>Identifiant</dt><dd><code><xsl:value-of select="$t/id"/></code></dd>
      <dt>Identifiant producteur</dt><dd><xsl:value-of select="$t/xml_id"/></dd>
      <dt>Service producteur</dt><dd><xsl:value-of select="$t/agency"/></dd>
      <dt>Versement</dt><dd><code><xsl:value-of select="$t/transfer"/></code></dd>
      <dt>Dates extrêmes</dt><dd><xsl:value-of select="$t/start_date"/> – <xsl:value-of select="$t/end_date"/></dd>
      <dt>Règle</dt><dd><xsl:value-of select="$t/rule"/> (du <xsl:value-of select="$t/rule_start"/> au <xsl:value-of select="$t/rule_end"/>,
        <xsl:call-template name="final"><xsl:with-param name="f" select="$t/final_action"/></xsl:call-template>)</dd>
      <xsl:if test="$t/disposal">
        <dt>Bordereau d'élimination</dt><dd><a href="/ui/disposals/{$t/disposal}"><xsl:value-of select="$t/disposal"/></a></dd>
      </xsl:if>
      <xsl:if test="$t/visa"><dt>Visa</dt><dd><xsl:value-of select="$t/visa"/></dd></xsl:if>
    </dl>
    <xsl:if test="$t/objects/object">
      <table id="gone-objects">
        <caption>Objets détruits avec l'unité</caption>
        <thead><tr><th scope="col">Identifiant</th><th scope="col">Taille (octets)</th><th scope="col">SHA-256</th></tr></thead>
        <tbody>
          <xsl:for-each select="$t/objects/object">
            <tr><th scope="row"><code><xsl:value-of select="id"/></code></th>
              <td class="n"><xsl:call-template name="num"><xsl:with-param name="n" select="size"/></xsl:call-template></td>
              <td><code class="hash"><xsl:value-of select="sha256"/></code></td></tr>
          </xsl:for-each>
        </tbody>
      </table>
    </xsl:if>
  </xsl:template>

  <xsl:template match="unit-page" mode="main">
    <xsl:variable name="u" select="unit"/>
    <nav aria-label="Sur cette page" class="toc">
      <ul>
        <li><a href="#s-meta">Description</a></li>
        <li><a href="#s-age">Âge et règles</a></li>
        <li><a href="#s-holds">Gels</a></li>
        <li><a href="#s-objects">Objets</a></li>
        <li><a href="#s-history">Historique</a></li>
        <li><a href="#s-proof">Preuve</a></li>
      </ul>
    </nav>

    <section aria-labelledby="s-meta">
      <h2 id="s-meta">Description</h2>
      <dl class="summary" id="meta">
        <dt>Titre</dt><dd id="title"><xsl:value-of select="$u/title"/></dd>
        <dt>Identifiant</dt><dd><code id="unit-id"><xsl:value-of select="$u/id"/></code></dd>
        <dt>Identifiant producteur</dt><dd id="producer-id"><xsl:value-of select="$u/producer_id"/></dd>
        <xsl:if test="$u/level != ''"><dt>Niveau</dt><dd><xsl:value-of select="$u/level"/></dd></xsl:if>
        <dt>Service producteur</dt><dd id="agency"><xsl:value-of select="$u/agency"/></dd>
        <dt>Versement</dt><dd><code id="transfer"><xsl:value-of select="$u/transfer"/></code></dd>
        <dt>Dates extrêmes</dt><dd><xsl:choose>
          <xsl:when test="$u/dates/start != '' or $u/dates/end != ''"><xsl:value-of select="$u/dates/start"/> – <xsl:value-of select="$u/dates/end"/></xsl:when>
          <xsl:otherwise>non renseignées</xsl:otherwise></xsl:choose></dd>
        <dt>Archivée le</dt><dd><xsl:value-of select="$u/created"/></dd>
        <dt>Unité parente</dt>
        <dd id="parent"><xsl:choose>
          <xsl:when test="$u/ancestors/unit">
            <xsl:for-each select="$u/ancestors/unit">
              <xsl:if test="position() &gt; 1"> ‹ </xsl:if>
              <a href="/ui/units/{id}"><xsl:value-of select="title"/></a>
            </xsl:for-each>
          </xsl:when>
          <xsl:otherwise>aucune (unité racine du versement)</xsl:otherwise>
        </xsl:choose></dd>
        <dt>Unités filles</dt>
        <dd id="children"><xsl:choose>
          <xsl:when test="$u/children/unit">
            <ul>
              <xsl:for-each select="$u/children/unit">
                <li><a href="/ui/units/{id}"><xsl:value-of select="title"/></a>
                  <xsl:if test="state != 'alive'"> (sortie de l'archive)</xsl:if></li>
              </xsl:for-each>
            </ul>
            <xsl:if test="$u/more_children = 'true'"><p>… et d'autres (les 100 premières sont listées).</p></xsl:if>
          </xsl:when>
          <xsl:otherwise>aucune</xsl:otherwise>
        </xsl:choose></dd>
      </dl>
    </section>

    <section aria-labelledby="s-age">
      <h2 id="s-age">Âge et règles</h2>
      <dl class="summary">
        <dt>Âge</dt><dd id="age" data-age="{$u/age}"><xsl:call-template name="age"><xsl:with-param name="a" select="$u/age"/></xsl:call-template></dd>
        <dt>Règle de sort final appliquée</dt>
        <dd id="rule"><xsl:choose>
          <xsl:when test="$u/rule != ''"><xsl:value-of select="$u/rule"/>
            <xsl:if test="$u/rule_label"> – <xsl:value-of select="$u/rule_label"/></xsl:if>
            <xsl:if test="$u/duration"> (durée : <xsl:value-of select="$u/duration"/>)</xsl:if></xsl:when>
          <xsl:otherwise>aucune</xsl:otherwise>
        </xsl:choose></dd>
        <dt>Sort final</dt><dd id="final"><xsl:call-template name="final"><xsl:with-param name="f" select="$u/final_action"/></xsl:call-template></dd>
        <xsl:if test="$u/held = 'true'"><dt>Gel</dt><dd id="held">l'unité est gelée : elle ne sera pas proposée à l'élimination</dd></xsl:if>
      </dl>
      <h3>Calendrier</h3>
      <ol class="timeline" id="timeline">
        <xsl:for-each select="$u/timeline/step">
          <xsl:sort select="@date"/>
          <xsl:call-template name="step">
            <xsl:with-param name="id" select="concat('t-', @kind)"/>
            <xsl:with-param name="d" select="@date"/>
            <xsl:with-param name="what">
              <xsl:choose>
                <xsl:when test="@kind = 'archived'">archivage de l’unité</xsl:when>
                <xsl:when test="@kind = 'dua_start'">début de la durée d’utilité administrative</xsl:when>
                <xsl:when test="@kind = 'current_end'">fin de la durée d’utilité courante : l’unité passe en archives intermédiaires</xsl:when>
                <xsl:when test="@kind = 'dua_end'">fin de la durée d’utilité administrative</xsl:when>
                <xsl:when test="@kind = 'hold_end'">fin du gel déclaré dans le versement</xsl:when>
              </xsl:choose>
            </xsl:with-param>
            <xsl:with-param name="then">
              <xsl:if test="@kind = 'dua_end'">
                <xsl:choose>
                  <xsl:when test="$u/final_action = 'Destroy'">Ensuite : proposée à l’élimination sur un bordereau, détruite après le visa<xsl:if test="$u/held = 'true'"> (pas tant qu’elle est gelée)</xsl:if>.</xsl:when>
                  <xsl:when test="$u/final_action = 'Keep'">Ensuite : conservation définitive (archives définitives).</xsl:when>
                  <xsl:when test="$u/final_action = 'Sort'">Ensuite : l’archiviste décide de la conserver ou de l’éliminer (tri).</xsl:when>
                  <xsl:otherwise>Ensuite : sort final non précisé.</xsl:otherwise>
                </xsl:choose>
              </xsl:if>
            </xsl:with-param>
          </xsl:call-template>
        </xsl:for-each>
        <xsl:if test="not($u/timeline/step[@kind = 'dua_end'])">
          <li id="t-dua_end">Pas de fin de durée d’utilité administrative connue : l’unité reste en place jusqu’à une nouvelle règle.</li>
        </xsl:if>
      </ol>
      <xsl:choose>
        <xsl:when test="$u/rules/rule">
          <table id="rules">
            <caption>Règles de gestion déclarées, par catégorie (de l'unité, de ses parentes et du versement)</caption>
            <thead>
              <tr>
                <th scope="col">Catégorie</th>
                <th scope="col">Règle</th>
                <th scope="col">Intitulé</th>
                <th scope="col">Durée</th>
                <th scope="col">Début</th>
                <th scope="col">Fin</th>
                <th scope="col">Sort final</th>
                <th scope="col">Déclarée sur</th>
              </tr>
            </thead>
            <tbody>
              <xsl:for-each select="$u/rules/rule">
                <tr data-category="{category}">
                  <th scope="row"><xsl:call-template name="category"><xsl:with-param name="c" select="category"/></xsl:call-template></th>
                  <td><xsl:value-of select="rule"/></td>
                  <td><xsl:value-of select="label"/></td>
                  <td><xsl:choose>
                    <xsl:when test="unlimited = '1'">illimitée</xsl:when>
                    <xsl:when test="duration != ''"><xsl:value-of select="duration"/>&#160;<xsl:choose>
                      <xsl:when test="translate(measure, 'year', 'YEAR') = 'YEAR'">an(s)</xsl:when>
                      <xsl:when test="translate(measure, 'month', 'MONTH') = 'MONTH'">mois</xsl:when>
                      <xsl:when test="translate(measure, 'day', 'DAY') = 'DAY'">jour(s)</xsl:when>
                      <xsl:otherwise><xsl:value-of select="measure"/></xsl:otherwise></xsl:choose></xsl:when>
                  </xsl:choose></td>
                  <td><xsl:value-of select="start"/></td>
                  <td><xsl:value-of select="end"/></td>
                  <td><xsl:call-template name="final"><xsl:with-param name="f" select="final_action"/></xsl:call-template></td>
                  <td><xsl:choose>
                    <xsl:when test="origin = 'unit'">cette unité</xsl:when>
                    <xsl:when test="origin = 'ancestor'">l'unité parente <a href="/ui/units/{unit}"><xsl:value-of select="unit_title"/></a></xsl:when>
                    <xsl:otherwise>le versement (métadonnées de gestion)</xsl:otherwise>
                  </xsl:choose><xsl:if test="prevent_inheritance = '1'"> ; bloque l'héritage</xsl:if></td>
                </tr>
              </xsl:for-each>
            </tbody>
          </table>
        </xsl:when>
        <xsl:otherwise><p>Aucune règle n'a été déclarée dans le versement ; les valeurs par défaut du service s'appliquent.</p></xsl:otherwise>
      </xsl:choose>
    </section>

    <section aria-labelledby="s-holds">
      <h2 id="s-holds">Gels</h2>
      <xsl:choose>
        <xsl:when test="$u/holds/hold or $u/inherited-holds/hold or $u/descendant-holds/hold">
          <table id="holds">
            <caption>Gels posés sur l'unité, sur ses unités parentes ou, actifs, sur ses unités filles</caption>
            <thead>
              <tr>
                <th scope="col">Motif</th>
                <th scope="col">Référence</th>
                <th scope="col">Sur</th>
                <th scope="col">Posé</th>
                <th scope="col">Jusqu'au</th>
                <th scope="col">État</th>
              </tr>
            </thead>
            <tbody>
              <xsl:for-each select="$u/holds/hold | $u/inherited-holds/hold | $u/descendant-holds/hold">
                <tr>
                  <th scope="row"><xsl:value-of select="reason"/></th>
                  <td><xsl:value-of select="reference"/></td>
                  <td><xsl:choose>
                    <xsl:when test="parent::holds">cette unité</xsl:when>
                    <xsl:when test="parent::descendant-holds">l'unité fille <a href="/ui/units/{unit}"><xsl:value-of select="unit_title"/></a> (elle protège aussi cette unité de l'élimination)</xsl:when>
                    <xsl:otherwise>l'unité parente <a href="/ui/units/{unit}"><code><xsl:value-of select="unit"/></code></a></xsl:otherwise>
                  </xsl:choose></td>
                  <td><xsl:value-of select="placed"/> par <xsl:value-of select="placed_by"/></td>
                  <td><xsl:choose><xsl:when test="until != ''"><xsl:value-of select="until"/></xsl:when><xsl:otherwise>jusqu'à sa levée</xsl:otherwise></xsl:choose></td>
                  <td><xsl:choose>
                    <xsl:when test="active = 'true'">actif</xsl:when>
                    <xsl:when test="lifted != ''">levé le <xsl:value-of select="lifted"/> par <xsl:value-of select="lifted_by"/><xsl:if test="lift_reason != ''"> : <xsl:value-of select="lift_reason"/></xsl:if></xsl:when>
                    <xsl:otherwise>échu</xsl:otherwise>
                  </xsl:choose></td>
                </tr>
              </xsl:for-each>
            </tbody>
          </table>
        </xsl:when>
        <xsl:otherwise><p id="no-holds">Aucun gel n'a été posé sur cette unité ni sur ses unités parentes, et aucun gel actif ne porte sur ses unités filles.</p></xsl:otherwise>
      </xsl:choose>
      <xsl:if test="$u/hold_rule_end != ''"><p>Gel déclaré dans le versement jusqu'au <xsl:value-of select="$u/hold_rule_end"/>.</p></xsl:if>
    </section>

    <section aria-labelledby="s-objects">
      <h2 id="s-objects">Objets</h2>
      <xsl:choose>
        <xsl:when test="$u/objects/object">
          <table id="objects">
            <caption>Objets de l'unité (chaque téléchargement est vérifié contre son empreinte)</caption>
            <thead>
              <tr>
                <th scope="col">Nom</th>
                <th scope="col">Identifiant</th>
                <th scope="col">Format</th>
                <th scope="col">Type MIME</th>
                <th scope="col">Taille (octets)</th>
                <th scope="col">SHA-256</th>
              </tr>
            </thead>
            <tbody>
              <xsl:for-each select="$u/objects/object">
                <tr data-object="{id}">
                  <xsl:choose>
                    <xsl:when test="physical = 'true'">
                      <th scope="row">objet physique <xsl:value-of select="physical_id"/></th>
                      <td><code><xsl:value-of select="id"/></code></td>
                      <td colspan="4">pas de contenu numérique</td>
                    </xsl:when>
                    <xsl:otherwise>
                      <th scope="row"><a href="/ui/objects/{id}" class="download">Télécharger<span class="sr-only"> l'objet</span> « <xsl:value-of select="filename"/> »</a></th>
                      <td><code><xsl:value-of select="id"/></code></td>
                      <td><xsl:value-of select="format_name"/><xsl:if test="puid != ''"> (<xsl:value-of select="puid"/>)</xsl:if></td>
                      <td><xsl:value-of select="mime_type"/></td>
                      <td class="n" data-size="{size}"><xsl:call-template name="num"><xsl:with-param name="n" select="size"/></xsl:call-template></td>
                      <td><code class="hash"><xsl:value-of select="sha256"/></code></td>
                    </xsl:otherwise>
                  </xsl:choose>
                </tr>
              </xsl:for-each>
            </tbody>
          </table>
        </xsl:when>
        <xsl:otherwise><p id="no-objects">Cette unité ne porte pas d'objet ; ils sont, le cas échéant, sur ses unités filles.</p></xsl:otherwise>
      </xsl:choose>
    </section>

    <section aria-labelledby="s-history">
      <h2 id="s-history">Historique</h2>
      <table id="history">
        <caption>Entrées du journal inaltérable qui concernent l'unité et son versement, de la plus ancienne à la plus récente</caption>
        <thead>
          <tr>
            <th scope="col">Date</th>
            <th scope="col">Événement</th>
            <th scope="col">Résultat</th>
            <th scope="col">Agent</th>
            <th scope="col">Détail</th>
          </tr>
        </thead>
        <tbody>
          <xsl:for-each select="$u/history/event">
            <tr data-type="{type}">
              <td><xsl:value-of select="ts"/></td>
              <th scope="row"><xsl:value-of select="type"/></th>
              <td><xsl:value-of select="outcome"/></td>
              <td><xsl:value-of select="agent"/></td>
              <td><xsl:value-of select="message"/>
                <xsl:if test="detail"><details><summary>données (n° <xsl:value-of select="seq"/>)</summary><code class="json"><xsl:value-of select="detail"/></code></details></xsl:if></td>
            </tr>
          </xsl:for-each>
        </tbody>
      </table>
    </section>

    <section aria-labelledby="s-proof">
      <h2 id="s-proof">Preuve</h2>
      <xsl:choose>
        <xsl:when test="can-proof">
          <p>Le paquet de preuve (zip) réunit les métadonnées de l'unité, les empreintes de ses objets, ses entrées du journal
            avec leurs chemins de Merkle, les sceaux horodatés et les certificats : il se vérifie hors ligne avec
            <code>sae-verify</code>. Sa remise est inscrite au journal.</p>
          <ul class="links">
            <li><a href="/ui/units/{$u/id}/proof" id="proof" download="proof-{$u/id}.zip">Télécharger le paquet de preuve</a></li>
            <li><a href="/ui/units/{$u/id}/proof?objects=1" id="proof-objects" download="proof-{$u/id}.zip">Télécharger le paquet de preuve avec les objets</a></li>
          </ul>
        </xsl:when>
        <xsl:otherwise><p>Un administrateur produit le paquet de preuve sur le serveur (<code>sae-admin proof</code>).</p></xsl:otherwise>
      </xsl:choose>
    </section>
  </xsl:template>
</xsl:stylesheet>
