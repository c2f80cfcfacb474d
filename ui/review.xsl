<?xml version="1.0" encoding="UTF-8"?>
<!--
  review.xsl: "À trier": the units awaiting an archivist's keep-or-destroy
  decision, a page at a time, with their rule's sorting criterion; for an
  archivist a checkbox per line and one decision form (conserver or
  détruire, with a motivation); what a decision does; the outcome of the
  last one (counts, or which units were refused and why); the last
  decisions taken.
-->
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
  <xsl:import href="layout.xsl"/>

  <xsl:variable name="decides" select="/*/user/@role = 'archivist'"/>

  <xsl:template match="review" mode="title">À trier</xsl:template>

  <xsl:template match="review" mode="main">
    <p>Ces unités ont atteint la fin de leur durée d'utilité administrative avec le sort final
      « tri » (ou des sorts finaux contradictoires) : un archiviste décide, pour chacune, de la
      conserver ou de la détruire, au vu du critère de tri de sa règle.</p>
    <div class="info" id="what-it-does">
      <p><strong>Conserver</strong> : l'unité devient une archive définitive, conservée sans
        limite de durée sur le stockage souverain.</p>
      <p><strong>Détruire</strong> ne détruit rien immédiatement : l'unité devient éliminable et
        sera proposée sur le prochain bordereau d'élimination, que vous devrez encore approuver
        (visa) dans <a href="/ui/disposals">Éliminations</a>. Un dossier n'y figure que si
        toutes ses sous-unités sont éliminables elles aussi, et aucune unité gelée n'y figure.</p>
      <p>Chaque décision est inscrite au journal sous votre nom, avec sa motivation.</p>
    </div>

    <xsl:apply-templates select="notice"/>
    <xsl:apply-templates select="results"/>
    <xsl:if test="error">
      <p class="error" role="alert" id="form-error"><xsl:value-of select="error"/></p>
    </xsl:if>

    <xsl:choose>
      <xsl:when test="not(unit)">
        <p id="empty">
          <xsl:choose>
            <xsl:when test="@after">Aucune autre unité à trier. <a href="/ui/review">Retour à la première page</a></xsl:when>
            <xsl:otherwise>Aucune unité n'attend de décision.</xsl:otherwise>
          </xsl:choose>
        </p>
      </xsl:when>
      <xsl:when test="$decides">
        <form method="post" action="/ui/review" id="decide">
          <xsl:call-template name="csrf"/>
          <xsl:call-template name="table"/>
          <xsl:call-template name="pages"/>
          <fieldset>
            <legend>Décision pour les unités cochées</legend>
            <fieldset class="choice">
              <legend>Décision (obligatoire)</legend>
              <p>
                <input type="radio" name="decision" value="keep" id="decision-keep" required="required">
                  <xsl:if test="form/@decision = 'keep'"><xsl:attribute name="checked">checked</xsl:attribute></xsl:if>
                </input>
                <label for="decision-keep" class="inline">Conserver (archives définitives)</label>
              </p>
              <p>
                <input type="radio" name="decision" value="destroy" id="decision-destroy">
                  <xsl:if test="form/@decision = 'destroy'"><xsl:attribute name="checked">checked</xsl:attribute></xsl:if>
                </input>
                <label for="decision-destroy" class="inline">Détruire (proposée au prochain bordereau d'élimination)</label>
              </p>
            </fieldset>
            <p><label for="comment">Motivation (obligatoire)</label>
              <textarea id="comment" name="comment" rows="3" cols="60" required="required" maxlength="2000"
                  aria-describedby="comment-help"><xsl:value-of select="form/comment"/></textarea>
              <span id="comment-help" class="help">Inscrite au journal avec chaque décision.</span></p>
            <p><button type="submit">Enregistrer la décision</button></p>
          </fieldset>
        </form>
      </xsl:when>
      <xsl:otherwise>
        <xsl:call-template name="table"/>
        <xsl:call-template name="pages"/>
        <p>Seul un archiviste peut décider du sort de ces unités.</p>
      </xsl:otherwise>
    </xsl:choose>

    <xsl:apply-templates select="recent"/>
  </xsl:template>

  <xsl:template match="notice">
    <p class="notice" role="status" id="notice">
      <xsl:choose>
        <xsl:when test="@kept">
          <xsl:value-of select="@kept"/> unité(s) conservée(s) : archives définitives.
        </xsl:when>
        <xsl:otherwise>
          <xsl:value-of select="@destroyed"/> unité(s) à détruire : elles seront proposées sur le
          prochain bordereau d'élimination, à approuver dans <a href="/ui/disposals">Éliminations</a>.
          Rien n'est détruit avant cette approbation.
        </xsl:otherwise>
      </xsl:choose>
    </p>
  </xsl:template>

  <xsl:template match="results">
    <div class="error" role="alert" id="results">
      <p><xsl:value-of select="@ok"/> décision(s)
        « <xsl:call-template name="decision"><xsl:with-param name="d" select="@decision"/></xsl:call-template> »
        enregistrée(s), <xsl:value-of select="@failed"/> refusée(s) :</p>
      <ul>
        <xsl:for-each select="failed">
          <li data-unit="{@unit}">
            <code><xsl:value-of select="@unit"/></code>
            <xsl:if test="@title"> « <xsl:value-of select="@title"/> »</xsl:if> :
            <xsl:choose>
              <xsl:when test="@code = 'notfound'">unité inconnue.</xsl:when>
              <xsl:when test="@state = 'destroyed'">unité déjà détruite.</xsl:when>
              <xsl:when test="@code = 'decided'">elle n'est plus à trier (âge actuel :
                <xsl:call-template name="age"><xsl:with-param name="a" select="@age"/></xsl:call-template>) ;
                une décision a déjà été prise, ou sa règle a changé.</xsl:when>
              <xsl:otherwise><xsl:value-of select="."/></xsl:otherwise>
            </xsl:choose>
          </li>
        </xsl:for-each>
      </ul>
    </div>
  </xsl:template>

  <xsl:template name="table">
    <table id="review">
      <caption>Unités à trier :
        <xsl:value-of select="@total"/> au total<xsl:if test="@total &gt; count(unit)">,
        <xsl:value-of select="count(unit)"/> sur cette page</xsl:if></caption>
      <thead>
        <tr>
          <xsl:if test="$decides"><th scope="col">Choisir</th></xsl:if>
          <th scope="col">Titre</th>
          <th scope="col">Identifiant</th>
          <th scope="col">Service producteur</th>
          <th scope="col">Règle</th>
          <th scope="col">Critère de tri</th>
          <th scope="col">Fin de la DUA</th>
          <th scope="col">Sort final</th>
          <th scope="col">Gel</th>
        </tr>
      </thead>
      <tbody>
        <xsl:for-each select="unit">
          <xsl:variable name="id" select="id"/>
          <tr data-unit="{id}">
            <xsl:if test="$decides">
              <td><input type="checkbox" name="unit" value="{id}" id="u-{id}">
                  <xsl:if test="/*/form/checked = $id"><xsl:attribute name="checked">checked</xsl:attribute></xsl:if>
                </input>
                <label for="u-{id}" class="sr-only">Choisir « <xsl:value-of select="title"/> » (<xsl:value-of select="id"/>)</label></td>
            </xsl:if>
            <th scope="row"><xsl:value-of select="title"/>
              <xsl:if test="parent"><br/><span class="sub">dans « <xsl:value-of select="parent"/> »</span></xsl:if></th>
            <td><a href="/ui/units/{id}"><code><xsl:value-of select="id"/></code></a></td>
            <td><xsl:value-of select="agency"/></td>
            <td><xsl:value-of select="rule"/><xsl:if test="rule_label"> (<xsl:value-of select="rule_label"/>)</xsl:if></td>
            <td><xsl:value-of select="criterion"/></td>
            <td><xsl:value-of select="rule_end"/></td>
            <td><xsl:call-template name="final"><xsl:with-param name="f" select="final_action"/></xsl:call-template></td>
            <td><xsl:choose>
              <xsl:when test="held = 'true'">gelée</xsl:when>
              <xsl:when test="$decides"><a href="/ui/holds?unit={id}#place" class="hold-link">Geler<span class="sr-only"> « <xsl:value-of select="title"/> »</span></a></xsl:when>
            </xsl:choose></td>
          </tr>
        </xsl:for-each>
      </tbody>
    </table>
  </xsl:template>

  <xsl:template name="pages">
    <xsl:if test="next or @after">
      <nav aria-label="Pages des unités à trier" class="pages">
        <ul>
          <xsl:if test="@after"><li><a href="/ui/review?limit={@limit}" id="first-page">Première page</a></li></xsl:if>
          <xsl:if test="next"><li><a href="/ui/review?after={next/@after}&amp;limit={@limit}" id="next-page" rel="next">Page suivante</a></li></xsl:if>
        </ul>
      </nav>
    </xsl:if>
  </xsl:template>

  <xsl:template match="recent">
    <xsl:if test="decision">
      <table id="recent">
        <caption>Dernières décisions</caption>
        <thead>
          <tr>
            <th scope="col">Titre</th>
            <th scope="col">Identifiant</th>
            <th scope="col">Décision</th>
            <th scope="col">Motivation</th>
            <th scope="col">Par</th>
            <th scope="col">Le (UTC)</th>
            <th scope="col">Âge actuel</th>
          </tr>
        </thead>
        <tbody>
          <xsl:for-each select="decision">
            <tr data-unit="{unit}" data-decision="{decision}">
              <th scope="row"><xsl:value-of select="title"/></th>
              <td><a href="/ui/units/{unit}"><code><xsl:value-of select="unit"/></code></a></td>
              <td class="decision"><xsl:call-template name="decision"><xsl:with-param name="d" select="decision"/></xsl:call-template></td>
              <td class="comment"><xsl:value-of select="comment"/></td>
              <td class="by"><xsl:value-of select="decided_by"/></td>
              <td><xsl:call-template name="when"><xsl:with-param name="t" select="decided"/></xsl:call-template></td>
              <td><xsl:choose>
                <xsl:when test="state = 'destroyed'">détruite</xsl:when>
                <xsl:otherwise><xsl:call-template name="age"><xsl:with-param name="a" select="age"/></xsl:call-template></xsl:otherwise>
              </xsl:choose></td>
            </tr>
          </xsl:for-each>
        </tbody>
      </table>
    </xsl:if>
  </xsl:template>

  <xsl:template name="decision">
    <xsl:param name="d"/>
    <xsl:choose>
      <xsl:when test="$d = 'keep'">conserver</xsl:when>
      <xsl:when test="$d = 'destroy'">détruire</xsl:when>
      <xsl:otherwise><xsl:value-of select="$d"/></xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <xsl:template name="final">
    <xsl:param name="f"/>
    <xsl:choose>
      <xsl:when test="$f = 'Sort'">tri</xsl:when>
      <xsl:when test="$f = 'Keep'">conservation</xsl:when>
      <xsl:when test="$f = 'Destroy'">destruction</xsl:when>
      <xsl:when test="not($f)">contradictoire</xsl:when>
      <xsl:otherwise><xsl:value-of select="$f"/></xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!-- "2035-02-01T12:00:00Z" as "2035-02-01 12:00". -->
  <xsl:template name="when">
    <xsl:param name="t"/>
    <xsl:value-of select="substring($t, 1, 10)"/>
    <xsl:if test="string-length($t) &gt; 15"><xsl:text> </xsl:text><xsl:value-of select="substring($t, 12, 5)"/></xsl:if>
  </xsl:template>
</xsl:stylesheet>
